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

  // The constructs are created in a fixed order (construct ids and the template follow it).
  constructor(scope: Construct, id: string, props: ReindexStackProps) {
    super(scope, id, props);
    const config = validateReindexConfig(props.config);
    const vpc = publicVpc(this);
    this.repository = batchImageRepository(this, config);
    this.storeCredentials = storeCredentialsSecret(this, config);
    const container = containerSettings(this, config, this.repository, this.storeCredentials);
    const jobs = { vpc, container, common: commonArguments(config) };
    const { encode, publish } = reindexSteps(
      this,
      config,
      encodeJob(this, config, jobs),
      publishJob(this, config, jobs),
    );
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

/** What both containers share: the image, the two roles, logs, and the store's endpoint and credentials. */
type ContainerSettings = ReturnType<typeof containerSettings>;

/** The network and container settings every job definition gets, and the CLI arguments they share. */
interface JobSettings {
  readonly vpc: ec2.Vpc;
  readonly container: ContainerSettings;
  readonly common: string[];
}

/**
 * Public subnets only: the jobs talk to R2 over the internet, and a NAT gateway would cost more per
 * month than the nightly GPU minutes of a small corpus.
 */
function publicVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
  });
}

function batchImageRepository(stack: Stack, config: ReindexConfig): ecr.Repository {
  return new ecr.Repository(stack, 'BatchImage', {
    repositoryName: `${config.name}-batch`,
    imageScanOnPush: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ maxImageCount: 10, description: 'keep the last 10 batch images' }],
  });
}

function storeCredentialsSecret(stack: Stack, config: ReindexConfig): secretsmanager.Secret {
  return new secretsmanager.Secret(stack, 'StoreCredentials', {
    secretName: `${config.name}/r2-index-writer`,
    description:
      'R2 API token (S3 keys) scoped to the index bucket only: {"accessKeyId": "...", "secretAccessKey": "..."}',
  });
}

function containerSettings(
  stack: Stack,
  config: ReindexConfig,
  repository: ecr.Repository,
  storeCredentials: secretsmanager.Secret,
) {
  const logGroup = new logs.LogGroup(stack, 'Logs', {
    logGroupName: `/csplade/${config.name}/batch`,
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // The job role: what code inside the container may do on AWS. Nothing: the store is R2.
  const jobRole = new iam.Role(stack, 'JobRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description:
      'csplade batch containers: no AWS permissions (the index store is R2, reached with its own token)',
  });
  // The execution role: pulls the image, writes logs, injects the one secret.
  const executionRole = new iam.Role(stack, 'ExecutionRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
  });
  repository.grantPull(executionRole);
  logGroup.grantWrite(executionRole);
  storeCredentials.grantRead(executionRole);

  const image = ecs.ContainerImage.fromEcrRepository(repository, config.imageTag);
  const secrets = {
    AWS_ACCESS_KEY_ID: batch.Secret.fromSecretsManager(storeCredentials, 'accessKeyId'),
    AWS_SECRET_ACCESS_KEY: batch.Secret.fromSecretsManager(storeCredentials, 'secretAccessKey'),
  };
  const environment = { S3_ENDPOINT: config.storeEndpoint, AWS_REGION: 'auto', CSPLADE_LOG: 'json' };
  const logging = ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'csplade' });
  return { image, jobRole, executionRole, logging, environment, secrets };
}

function commonArguments(config: ReindexConfig): string[] {
  return ['--index', config.index, '--store', config.storeUrl, '--run', 'Ref::run', '--json'];
}

/** The GPU array children's job definition (on a queue of its own), `csplade encode` 1/N of the corpus each. */
function encodeJob(stack: Stack, config: ReindexConfig, jobs: JobSettings): QueuedJob {
  const gpuCompute = new batch.ManagedEc2EcsComputeEnvironment(stack, 'GpuCompute', {
    vpc: jobs.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    instanceTypes: config.gpuInstanceTypes.map((t) => new ec2.InstanceType(t)),
    useOptimalInstanceClasses: false,
    images: [{ imageType: batch.EcsMachineImageType.ECS_AL2_NVIDIA }],
    minvCpus: 0, // scale to zero between runs
    maxvCpus: config.maxGpuVcpus,
    spot: config.spot,
  });
  const queue = new batch.JobQueue(stack, 'GpuQueue', {
    computeEnvironments: [{ computeEnvironment: gpuCompute, order: 1 }],
  });
  const definition = new batch.EcsJobDefinition(stack, 'EncodeJob', {
    timeout: Duration.hours(12),
    retryAttempts: 3, // spot reclaims: a retried child resumes from the encoding cache
    parameters: { run: 'manual' },
    container: new batch.EcsEc2ContainerDefinition(stack, 'EncodeContainer', {
      ...jobs.container,
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
        ...jobs.common,
      ],
    }),
  });
  return { queue, definition };
}

/** The CPU Fargate job definition (on a queue of its own) that runs `csplade publish` once per run. */
function publishJob(stack: Stack, config: ReindexConfig, jobs: JobSettings): QueuedJob {
  const cpuCompute = new batch.FargateComputeEnvironment(stack, 'CpuCompute', {
    vpc: jobs.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    maxvCpus: 16,
  });
  const queue = new batch.JobQueue(stack, 'CpuQueue', {
    computeEnvironments: [{ computeEnvironment: cpuCompute, order: 1 }],
  });
  const definition = new batch.EcsJobDefinition(stack, 'PublishJob', {
    timeout: Duration.hours(4),
    retryAttempts: 2, // publishing is idempotent per run: a retry finds the version or finishes it
    parameters: { run: 'manual' },
    container: new batch.EcsFargateContainerDefinition(stack, 'PublishContainer', {
      ...jobs.container,
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
        ...jobs.common,
      ],
    }),
  });
  return { queue, definition };
}

interface QueuedJob {
  readonly queue: batch.JobQueue;
  readonly definition: batch.EcsJobDefinition;
}

/** The state machine's two steps: the encoding array, then publish, with one run id for both. */
function reindexSteps(stack: Stack, config: ReindexConfig, encodeJob: QueuedJob, publishJob: QueuedJob) {
  const runId = sfn.JsonPath.stringAt('$$.Execution.Name');
  const encode = new tasks.BatchSubmitJob(stack, 'EncodeArray', {
    jobName: `${config.name}-encode`,
    jobQueueArn: encodeJob.queue.jobQueueArn,
    jobDefinitionArn: encodeJob.definition.jobDefinitionArn,
    arraySize: config.workers,
    payload: sfn.TaskInput.fromObject({ run: runId }),
    resultPath: '$.encode',
  });
  const publish = new tasks.BatchSubmitJob(stack, 'Publish', {
    jobName: `${config.name}-publish`,
    jobQueueArn: publishJob.queue.jobQueueArn,
    jobDefinitionArn: publishJob.definition.jobDefinitionArn,
    payload: sfn.TaskInput.fromObject({ run: runId }),
    resultPath: '$.publish',
  });
  return { encode, publish };
}
