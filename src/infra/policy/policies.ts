/**
 * The SecNumCloud policies, as plain objects: tests call their validate functions
 * directly, and index.ts hands them to a PolicyPack (whose constructor starts a server).
 */
import type { Policies } from '@pulumi/policy';
import { leastPrivilege } from './access.ts';
import { encryptionAtRest, noPublicNetworkAccess, tlsMinimum } from './protection.ts';
import { allowedRegions, backupsInEu } from './regions.ts';
import { auditLogging, qualificationEvidenceDeclared } from './stack.ts';
import {
  stateDatabaseLocation,
  stateDatabasePlacement,
  stateDatabasePrivate,
  userDataWithoutSecrets,
  workerFleetRegions,
} from './workers.ts';

export const SECNUMCLOUD_POLICIES: Policies = [
  allowedRegions,
  encryptionAtRest,
  noPublicNetworkAccess,
  tlsMinimum,
  leastPrivilege,
  auditLogging,
  backupsInEu,
  qualificationEvidenceDeclared,
  workerFleetRegions,
  userDataWithoutSecrets,
  stateDatabasePrivate,
  stateDatabasePlacement,
  stateDatabaseLocation,
];
