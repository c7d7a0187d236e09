/**
 * The scheduled GPU reindexing job on AWS, as one CDK stack:
 *
 *   EventBridge Scheduler (cron) ──► Step Functions state machine
 *        1. AWS Batch array job of N GPU children: `csplade encode --worker $AWS_BATCH_JOB_ARRAY_INDEX --workers N`
 *        2. only when every child succeeded (the .sync array task completes): a CPU Fargate job
 *           `csplade publish` that builds the shards, publishes the version (conditional CURRENT) and runs gc.
 *
 * Why Step Functions rather than Batch `dependsOn`: the array size and the run id come from the execution
 * (one id shared by the array and the publish step), failures are visible per execution, and retries of the
 * publish step do not re-run the encoding. Why a separate Fargate queue for publish: building shards needs no
 * GPU, and a GPU instance kept alive for it would cost the most expensive minutes of the run.
 *
 * Least privilege: the index store is an R2 bucket; the jobs reach it with an R2 API token scoped to that one
 * bucket, kept in Secrets Manager (created empty here; its value is put by the operator, never in the repo).
 * Only the Batch execution role can read that secret; the job role itself has no AWS permissions at all.
 */
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, type StackProps, TimeZone } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { type ReindexConfig, validateReindexConfig } from './config.ts';

export interface ReindexStackProps extends StackProps {
  readonly config: ReindexConfig;
}

export class ReindexStack extends Stack {
  readonly stateMachine: sfn.StateMachine;
  readonly repository: ecr.Repository;
  readonly storeCredentials: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ReindexStackProps) {
    super(scope, id, props);
    const config = validateReindexConfig(props.config);

    // Public subnets only: the jobs talk to R2 over the internet, and a NAT gateway would cost more per
    // month than the nightly GPU minutes of a small corpus.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
    });

    this.repository = new ecr.Repository(this, 'BatchImage', {
      repositoryName: `${config.name}-batch`,
      imageScanOnPush: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ maxImageCount: 10, description: 'keep the last 10 batch images' }],
    });

    this.storeCredentials = new secretsmanager.Secret(this, 'StoreCredentials', {
      secretName: `${config.name}/r2-index-writer`,
      description:
        'R2 API token (S3 keys) scoped to the index bucket only: {"accessKeyId": "...", "secretAccessKey": "..."}',
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/csplade/${config.name}/batch`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The job role: what code inside the container may do on AWS. Nothing: the store is R2.
    const jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description:
        'csplade batch containers: no AWS permissions (the index store is R2, reached with its own token)',
    });
    // The execution role: pulls the image, writes logs, injects the one secret.
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    this.repository.grantPull(executionRole);
    logGroup.grantWrite(executionRole);
    this.storeCredentials.grantRead(executionRole);

    const image = ecs.ContainerImage.fromEcrRepository(this.repository, config.imageTag);
    const secrets = {
      AWS_ACCESS_KEY_ID: batch.Secret.fromSecretsManager(this.storeCredentials, 'accessKeyId'),
      AWS_SECRET_ACCESS_KEY: batch.Secret.fromSecretsManager(this.storeCredentials, 'secretAccessKey'),
    };
    const environment = { S3_ENDPOINT: config.storeEndpoint, AWS_REGION: 'auto', CSPLADE_LOG: 'json' };
    const logging = ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'csplade' });
    const common = ['--index', config.index, '--store', config.storeUrl, '--run', 'Ref::run', '--json'];
    // What both containers share: the image, the two roles, logs, and the store's endpoint and credentials.
    const container = { image, jobRole, executionRole, logging, environment, secrets };

    const gpuCompute = new batch.ManagedEc2EcsComputeEnvironment(this, 'GpuCompute', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      instanceTypes: config.gpuInstanceTypes.map((t) => new ec2.InstanceType(t)),
      useOptimalInstanceClasses: false,
      images: [{ imageType: batch.EcsMachineImageType.ECS_AL2_NVIDIA }],
      minvCpus: 0, // scale to zero between runs
      maxvCpus: config.maxGpuVcpus,
      spot: config.spot,
    });
    const gpuQueue = new batch.JobQueue(this, 'GpuQueue', {
      computeEnvironments: [{ computeEnvironment: gpuCompute, order: 1 }],
    });
    const encodeJob = new batch.EcsJobDefinition(this, 'EncodeJob', {
      timeout: Duration.hours(12),
      retryAttempts: 3, // spot reclaims: a retried child resumes from the encoding cache
      parameters: { run: 'manual' },
      container: new batch.EcsEc2ContainerDefinition(this, 'EncodeContainer', {
        ...container,
        cpu: 4,
        memory: Size.gibibytes(15),
        gpu: 1,
        // The child's index comes from AWS_BATCH_JOB_ARRAY_INDEX, which the CLI reads by default.
        command: [
          'encode',
          '--corpus',
          config.corpusUrl,
          '--encoder',
          config.encoder,
          '--workers',
          String(config.workers),
          ...common,
        ],
      }),
    });

    const cpuCompute = new batch.FargateComputeEnvironment(this, 'CpuCompute', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      maxvCpus: 16,
    });
    const cpuQueue = new batch.JobQueue(this, 'CpuQueue', {
      computeEnvironments: [{ computeEnvironment: cpuCompute, order: 1 }],
    });
    const publishJob = new batch.EcsJobDefinition(this, 'PublishJob', {
      timeout: Duration.hours(4),
      retryAttempts: 2, // publishing is idempotent per run: a retry finds the version or finishes it
      parameters: { run: 'manual' },
      container: new batch.EcsFargateContainerDefinition(this, 'PublishContainer', {
        ...container,
        cpu: 4,
        memory: Size.gibibytes(16),
        assignPublicIp: true,
        command: [
          'publish',
          '--shards',
          String(config.shards),
          '--workers',
          String(config.workers),
          '--keep',
          String(config.keepVersions),
          ...common,
        ],
      }),
    });

    const runId = sfn.JsonPath.stringAt('$$.Execution.Name');
    const encode = new tasks.BatchSubmitJob(this, 'EncodeArray', {
      jobName: `${config.name}-encode`,
      jobQueueArn: gpuQueue.jobQueueArn,
      jobDefinitionArn: encodeJob.jobDefinitionArn,
      arraySize: config.workers,
      payload: sfn.TaskInput.fromObject({ run: runId }),
      resultPath: '$.encode',
    });
    const publish = new tasks.BatchSubmitJob(this, 'Publish', {
      jobName: `${config.name}-publish`,
      jobQueueArn: cpuQueue.jobQueueArn,
      jobDefinitionArn: publishJob.jobDefinitionArn,
      payload: sfn.TaskInput.fromObject({ run: runId }),
      resultPath: '$.publish',
    });
    this.stateMachine = new sfn.StateMachine(this, 'Reindex', {
      stateMachineName: `${config.name}-reindex`,
      definitionBody: sfn.DefinitionBody.fromChainable(encode.next(publish)),
      timeout: Duration.hours(18),
    });

    new scheduler.Schedule(this, 'Nightly', {
      description: `reindex ${config.index} on a schedule`,
      schedule: scheduler.ScheduleExpression.cron({ ...config.cron, timeZone: TimeZone.of(config.timezone) }),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {}),
    });

    new CfnOutput(this, 'RepositoryUri', { value: this.repository.repositoryUri });
    new CfnOutput(this, 'StoreCredentialsSecret', { value: this.storeCredentials.secretName });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
  }
}
