/**
 * Stack settings: what differs between the Azure and the OVHcloud stack (region, names,
 * network ranges, account identifiers), read from `stacks/Pulumi.<stack>.yaml`. The
 * warehouse itself is described once, in the spec; nothing here may change *what* is
 * protected, only *where* and *under which names*.
 *
 * None of these values is a secret: provider credentials come from the environment or
 * from `pulumi config set --secret`, never from this schema.
 */
import { z } from 'zod';

const cidr = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { error: 'must be an IPv4 CIDR such as 10.40.1.0/24' });
const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: 'must be a GUID' });

export const azureSettings = z.strictObject({
  /** Azure region of every resource. */
  location: z.string().min(1),
  /** @default `rg-<spec name>` */
  resourceGroupName: z.string().min(1).optional(),
  /** Globally unique, 3–24 lower-case letters and digits; the migration plan's source endpoint uses it. */
  storageAccountName: z.string().regex(/^[a-z0-9]{3,24}$/, { error: 'must be 3 to 24 lower-case letters and digits' }),
  /**
   * Redundancy of the storage account.
   * @default "Standard_ZRS"
   */
  storageSku: z.enum(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS']).default('Standard_ZRS'),
  /**
   * Data Lake (hierarchical namespace). The EMC2 account is a data lake; Azure does not
   * offer blob versioning on such accounts, which `cloudexit parity` reports.
   * @default true
   */
  hierarchicalNamespace: z.boolean().default(true),
  /** Subnet of the private endpoints (storage, Key Vault), inside the spec's network CIDR. */
  privateEndpointSubnet: cidr,
  /** Subnet delegated to PostgreSQL flexible server, inside the spec's network CIDR. */
  postgresSubnet: cidr,
  /** Object id of the principal that runs the migration: gets read-only data access, nothing else. */
  migrationPrincipalId: uuid.optional(),
  /** Microsoft Entra group administering PostgreSQL (password logins are disabled). */
  postgresEntraAdmin: z
    .strictObject({
      objectId: uuid,
      principalName: z.string().min(1),
      principalType: z.enum(['Group', 'User', 'ServicePrincipal']),
    })
    .optional(),
});
export type AzureSettings = z.output<typeof azureSettings>;

export const ovhSettings = z.strictObject({
  /** Public Cloud project id (the provider's `serviceName`). */
  projectId: z.string().regex(/^[0-9a-f]{32}$/, { error: 'must be the 32-hex-digit Public Cloud project id' }),
  /** Public Cloud region of buckets and database nodes, e.g. `EU-WEST-PAR`. */
  region: z.string().min(1),
  /** vRack service name, e.g. `pn-123456`. */
  vrackId: z.string().regex(/^pn-\d+$/, { error: 'must be a vRack service name such as pn-123456' }),
  /** VLAN of the private network inside the vRack. */
  vlanId: z.number().int().min(1).max(4000),
  /** First and last address handed out in the private subnet (the subnet is the spec's CIDR). */
  dhcpStart: z.string().min(7),
  dhcpEnd: z.string().min(7),
  /** OKMS region, e.g. `eu-west-par`. */
  okmsRegion: z.string().min(1),
  /** @default "FR" */
  ovhSubsidiary: z.string().length(2).default('FR'),
  /**
   * Managed database plan; `business` runs two nodes, `enterprise` three.
   * @default "business"
   */
  databasePlan: z.enum(['essential', 'business', 'enterprise']).default('business'),
  /** Regions receiving database backups; must be EU regions (the policy pack checks it). */
  backupRegions: z.array(z.string().min(1)).min(1),
  /** Logs Data Platform service (`ldp-xx-00000`) receiving database logs. */
  logsServiceName: z
    .string()
    .regex(/^ldp-[a-z]{2}-\d+$/, { error: 'must be a Logs Data Platform service name such as ldp-ab-12345' }),
  /** S3 endpoint of the region, e.g. `https://s3.eu-west-par.io.cloud.ovh.net`. */
  s3Endpoint: z.url(),
});
export type OvhSettings = z.output<typeof ovhSettings>;

/**
 * SecNumCloud qualification evidence of the target offer. Code cannot check a
 * qualification; it can only insist that someone wrote down where it is proven, and
 * the policy pack refuses a target stack without it.
 */
export const qualificationEvidence = z.strictObject({
  /** The commercial offer as named on ANSSI's list of qualified products. */
  offer: z.string().min(1),
  /** ANSSI's reference for the qualification (certificate or list entry). */
  anssiReference: z.string().min(1),
  /** Date of the qualification decision or its last renewal, YYYY-MM-DD. */
  date: z.iso.date(),
  /** Where the evidence is filed (optional). */
  evidenceUrl: z.url().optional(),
});
export type QualificationEvidence = z.output<typeof qualificationEvidence>;

export const hostName = z.enum(['azure', 'ovh']);
export type HostName = z.output<typeof hostName>;
