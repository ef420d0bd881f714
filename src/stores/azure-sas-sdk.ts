/**
 * The SDK's SAS functions alone, in a module of their own: imported by name here, the
 * bundle gives them a chunk without the SDK's clients and pipeline, which a copy from
 * Azure never needs (azure-sas.ts loads this module when it signs its first SAS).
 */
export {
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
