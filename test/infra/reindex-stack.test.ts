/**
 * The reindexing stack, synthesized offline (no AWS credentials): the resources exist with the shapes the
 * batch CLI needs, the schedule and array size follow the config, publish runs only after the array, and
 * the permissions are the least that works.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultReindexConfig, InfraConfigError, type ReindexConfig } from '../../infra/aws/config.ts';
import { ReindexStack } from '../../infra/aws/reindex-stack.ts';

const config: ReindexConfig = { ...defaultReindexConfig, workers: 7, cron: { minute: '15', hour: '2' } };
let template: Template;

function synth(c: ReindexConfig): Template {
  return Template.fromStack(new ReindexStack(new App(), 'test', { config: c }));
}

beforeAll(() => {
  template = synth(config);
});

function stateMachineDefinition(): string {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  expect(machines).toHaveLength(1);
  const parts = machines[0].Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return parts.map((p) => (typeof p === 'string' ? p : `<${Object.values(p as object)[0]}>`)).join('');
}

describe('reindex stack', () => {
  it('runs encoding on a GPU compute environment that scales to zero', () => {
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      Type: 'managed',
      ComputeResources: Match.objectLike({
        Type: 'SPOT',
        MinvCpus: 0,
        MaxvCpus: config.maxGpuVcpus,
        InstanceTypes: [...config.gpuInstanceTypes],
        Ec2Configuration: [{ ImageType: 'ECS_AL2_NVIDIA' }],
      }),
    });
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        ResourceRequirements: Match.arrayWith([{ Type: 'GPU', Value: '1' }]),
        Command: Match.arrayWith(['encode', '--workers', '7', '--run', 'Ref::run']),
      }),
    });
  });

  it('publishes on a CPU-only Fargate queue', () => {
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Type: 'FARGATE' }),
    });
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      PlatformCapabilities: ['FARGATE'],
      ContainerProperties: Match.objectLike({
        Command: Match.arrayWith(['publish', '--workers', '7']),
        ResourceRequirements: Match.not(Match.arrayWith([Match.objectLike({ Type: 'GPU' })])),
      }),
    });
  });

  it('runs an array of N encoders, then publish only after the array succeeded', () => {
    const definition = JSON.parse(stateMachineDefinition().replace(/<[^>]*>/g, 'X'));
    expect(definition.StartAt).toBe('EncodeArray');
    const encode = definition.States.EncodeArray;
    expect(encode.Resource).toMatch(/batch:submitJob\.sync$/); // .sync: waits for every child
    expect(encode.Parameters.ArrayProperties).toEqual({ Size: 7 });
    expect(encode.Next).toBe('Publish');
    expect(encode.Catch).toBeUndefined(); // a failed child fails the execution: publish never runs
    const publish = definition.States.Publish;
    expect(publish.Resource).toMatch(/batch:submitJob\.sync$/);
    expect(publish.Parameters.ArrayProperties).toBeUndefined();
    expect(publish.End).toBe(true);
    // Both steps share the run id, so publish finds the array's parts.
    expect(encode.Parameters.Parameters).toEqual({ 'run.$': '$$.Execution.Name' });
    expect(publish.Parameters.Parameters).toEqual({ 'run.$': '$$.Execution.Name' });
  });

  it('starts the state machine on the configured schedule', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(15 2 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: Match.objectLike({ Arn: Match.objectLike({ Ref: Match.stringLikeRegexp('Reindex') }) }),
    });
  });

  it('gives the containers no AWS permissions and only the execution role the store secret', () => {
    const roles = template.findResources('AWS::IAM::Role');
    const jobRoleId = Object.keys(roles).find((id) => id.startsWith('JobRole'))!;
    expect(roles[jobRoleId].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    for (const policy of policies) {
      const attached = JSON.stringify(policy.Properties.Roles);
      expect(attached).not.toContain(jobRoleId);
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const actions = [statement.Action].flat();
        expect(actions).not.toContain('*');
        expect(actions.some((a: string) => a.startsWith('s3:'))).toBe(false);
      }
    }
    const secretReaders = policies.filter((p) =>
      p.Properties.PolicyDocument.Statement.some((s: { Action: unknown }) =>
        [s.Action].flat().includes('secretsmanager:GetSecretValue'),
      ),
    );
    expect(secretReaders).toHaveLength(1);
    expect(JSON.stringify(secretReaders[0].Properties.Roles)).toContain('ExecutionRole');
    const secretStatement = secretReaders[0].Properties.PolicyDocument.Statement.find(
      (s: { Action: unknown }) => [s.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    expect(JSON.stringify(secretStatement.Resource)).toContain('StoreCredentials');
  });

  it('keeps no secret value in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'csplade/r2-index-writer' });
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    for (const s of secrets) expect(s.Properties.SecretString).toBeUndefined();
  });

  it('rejects an invalid config with a message naming the field', () => {
    expect(() => synth({ ...config, workers: 0 })).toThrow(InfraConfigError);
    expect(() => synth({ ...config, workers: 0 })).toThrow(/workers/);
    expect(() => synth({ ...config, storeUrl: 'gs://x' })).toThrow(/storeUrl/);
  });
});
