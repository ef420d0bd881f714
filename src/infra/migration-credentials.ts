/**
 * The S3 credentials of the migration user the OVHcloud warehouse declares: what the copy
 * engine and the worker fleet sign with. A file of its own because both the warehouse and
 * the fleet it declares need the type, and neither should import the other for it.
 */
import type * as pulumi from '@pulumi/pulumi';

/** S3 credentials of the migration user; both values are Pulumi secrets. */
export interface MigrationCredentials {
  accessKeyId: pulumi.Output<string>;
  secretAccessKey: pulumi.Output<string>;
}
