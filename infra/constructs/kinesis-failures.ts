import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';

export interface KinesisFailureBucketProps {
  /** Days an on-failure record is kept before S3 expires it (the redrive deletes it sooner once replayed). */
  readonly retentionDays: number;
}

/**
 * Where the Kinesis event source mapping writes the batches the shipper gave up on. An S3
 * on-failure destination holds the whole invocation (the records' data in `payload`); an
 * SQS or SNS one would hold only shard and sequence numbers, useless once the stream has
 * trimmed them. Encrypted, TLS only, private, access-logged, expired after `retentionDays`.
 */
export class KinesisFailureBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: KinesisFailureBucketProps) {
    super(scope, id);
    // S3 log delivery by bucket policy, not the LogDeliveryWrite ACL (AWS's advice; ACLs stay
    // disabled). The feature flag, scoped to this construct, makes aws-cdk-lib write that policy.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Failed log records and who read them: deleting the stack leaves them for a person.
      removalPolicy: RemovalPolicy.RETAIN,
    };
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket of the Kinesis failure bucket; logging it into itself or a third bucket would only log the log deliveries.',
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'failures/',
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
  }

  /** Lets the redrive list, read and delete the records (nothing else). */
  grantReplay(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:DeleteObject'], resources: [this.bucket.arnForObjects('*')] }));
    acknowledgeObjects(role, this.bucket, 'The redrive reads and deletes the on-failure records, whose keys Lambda chooses (aws/lambda/<mapping>/<shard>/<date>/<time>-<uuid>); the bucket holds nothing else.');
  }
}

/**
 * The event source mapping's on-failure destination on `bucket`, granting the function's
 * role what AWS documents for an S3 destination (s3:PutObject and s3:ListBucket), with
 * PutObject limited to buckets of this account. aws-cdk-lib's `S3OnFailureDestination`
 * would grant read, delete and every `s3:List*` too.
 */
export class KinesisFailureDestination implements lambda.IEventSourceDlq {
  constructor(private readonly bucket: s3.IBucket) {}

  bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    const role = targetHandler.role;
    if (role === undefined) throw new Error(`${targetHandler.node.path}: an S3 on-failure destination needs the function's execution role`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        // AWS's advice for S3 destinations: never write to a same-named bucket of another account.
        conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    acknowledgeObjects(role, this.bucket, 'Lambda writes each failed Kinesis batch to a new object whose key it chooses (aws/lambda/<mapping>/<shard>/<date>/<time>-<uuid>) in this one bucket.');
    return { destination: this.bucket.bucketArn };
  }
}

function acknowledgeObjects(role: iam.IRole, bucket: s3.IBucket, reason: string): void {
  const logicalId = (bucket.node.defaultChild as s3.CfnBucket | undefined)?.logicalId;
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalId === undefined ? bucket.node.id : bucket.stack.resolve(logicalId)}.Arn>/*]`,
    reason,
  });
}
