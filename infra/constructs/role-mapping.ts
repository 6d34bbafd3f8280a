import { CustomResource, Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { OpenSearchBackend } from './opensearch-backend';
import { PipelineFunction, type FunctionNetwork } from './pipeline-function';
import { acknowledgeProvider } from './provider-nag';

export interface RoleMappingProps {
  /** A domain whose master user is `backend.adminRole`. */
  readonly backend: OpenSearchBackend & { readonly adminRole: NonNullable<OpenSearchBackend['adminRole']> };
  /** Roles that index documents: mapped to a role limited to the pipeline's indices. */
  readonly writerRoleArns: readonly string[];
  /** Roles of people or CI: mapped to `all_access` and `security_manager`. @default - none */
  readonly adminRoleArns?: readonly string[];
  /** e.g. `cwl-*`. */
  readonly indexPattern: string;
  readonly logRetention: logs.RetentionDays;
  /** @default - no VPC */
  readonly network?: FunctionNetwork;
}

/** The OpenSearch security role every pipeline writer is mapped to. */
export const WRITER_ROLE_NAME = 'cwl_pipeline_writer';

/**
 * Maps the pipeline's IAM roles to OpenSearch roles through the security REST API
 * (`_plugins/_security/api/rolesmapping`), signed as the domain's master user. Existing
 * backend roles of a mapping are kept: the API replaces a mapping, so it is merged first.
 */
export class RoleMapping extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: RoleMappingProps) {
    super(scope, id);
    const handler = new PipelineFunction(this, 'Handler', {
      entry: 'functions/role-mapping/handler.ts',
      description: 'Custom resource: maps the pipeline roles in OpenSearch fine-grained access control',
      role: props.backend.adminRole,
      timeout: Duration.minutes(5),
      logRetention: props.logRetention,
      environment: { OPENSEARCH_ENDPOINT: props.backend.endpoint, OPENSEARCH_AUTH: props.backend.auth },
      ...(props.network && { network: props.network }),
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: handler.function,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: props.logRetention }),
    });
    acknowledgeProvider(provider, handler.function);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::OpenSearchRoleMapping',
      properties: {
        WriterRole: WRITER_ROLE_NAME,
        WriterRoleArns: [...props.writerRoleArns],
        AdminRoleArns: [...(props.adminRoleArns ?? [])],
        IndexPatterns: [props.indexPattern],
      },
    });
  }
}
