import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { NetworkConfig } from '../config';
import type { FunctionNetwork } from './pipeline-function';

export interface PipelineNetworkProps {
  readonly config: NetworkConfig;
}

/** AWS APIs the VPC functions call besides OpenSearch: the redrive SQS (and S3 on the Kinesis path), the enricher Athena, the poller CloudTrail. */
export const ENDPOINT_SERVICES = {
  sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
  s3: ec2.InterfaceVpcEndpointAwsService.S3,
  athena: ec2.InterfaceVpcEndpointAwsService.ATHENA,
  cloudtrail: ec2.InterfaceVpcEndpointAwsService.CLOUDTRAIL,
} as const;
export type EndpointService = keyof typeof ENDPOINT_SERVICES;

/**
 * The VPC the OpenSearch clients run in, imported from ids (no lookup, so synth stays
 * offline), and the security group every client function shares.
 */
export class PipelineNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Attached to every function that talks to OpenSearch; a domain admits it on 443. */
  readonly clientSecurityGroup: ec2.SecurityGroup;
  readonly functionNetwork: FunctionNetwork;

  constructor(scope: Construct, id: string, props: PipelineNetworkProps) {
    super(scope, id);
    const { config } = props;
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: config.vpcId,
      availabilityZones: [...config.availabilityZones],
      privateSubnetIds: [...config.subnetIds],
    });
    const subnets = config.subnetIds.map((subnetId, index) =>
      ec2.Subnet.fromSubnetAttributes(this, `Subnet${index}`, {
        subnetId,
        availabilityZone: config.availabilityZones[index % config.availabilityZones.length]!,
      }),
    );
    this.subnets = { subnets };
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: this.vpc,
      description: 'Pipeline functions that call OpenSearch and AWS APIs (egress only)',
      allowAllOutbound: true,
    });
    const extra = config.securityGroupIds.map((groupId, index) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, `ExtraSecurityGroup${index}`, groupId, { mutable: false }),
    );
    this.functionNetwork = {
      vpc: this.vpc,
      subnets: this.subnets,
      securityGroups: [this.clientSecurityGroup, ...extra],
    };
  }

  /** The subnets for a domain spread over `zones` availability zones. */
  domainSubnets(zones: number): ec2.SubnetSelection {
    const all = this.subnets.subnets ?? [];
    return { subnets: all.slice(0, zones) };
  }

  /**
   * Interface endpoints with private DNS for `services`, admitting the functions' group on
   * 443, so subnets without a NAT gateway still reach those APIs. One subnet per zone: an
   * endpoint takes at most one, and subnets are listed in zone order.
   */
  addInterfaceEndpoints(services: readonly EndpointService[]): ec2.InterfaceVpcEndpoint[] {
    if (services.length === 0) return [];
    const securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from the pipeline functions only',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(this.clientSecurityGroup, ec2.Port.tcp(443), 'HTTPS from pipeline functions');
    const zones = this.vpc.availabilityZones.length;
    return services.map(
      (service) =>
        new ec2.InterfaceVpcEndpoint(this, `${service[0]!.toUpperCase()}${service.slice(1)}Endpoint`, {
          vpc: this.vpc,
          service: ENDPOINT_SERVICES[service],
          subnets: this.domainSubnets(zones),
          securityGroups: [securityGroup],
          privateDnsEnabled: true,
          // S3's private DNS otherwise answers only inbound resolver endpoints and wants a
          // gateway endpoint beside it, which needs route tables the imported subnets lack.
          ...(service === 's3' && { privateDnsOnlyForInboundResolverEndpoint: ec2.VpcEndpointPrivateDnsOnlyForInboundResolverEndpoint.ALL_RESOLVERS }),
          open: false,
        }),
    );
  }
}
