import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { NetworkConfig } from '../config';
import type { FunctionNetwork } from './pipeline-function';

export interface PipelineNetworkProps {
  readonly config: NetworkConfig;
}

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
}
