/**
 * The SecNumCloud policy pack, for `pulumi preview --policy-pack src/infra/policy -s ovh-emc2`.
 * It checks what code can check (regions, encryption, network exposure, TLS, least
 * privilege, audit logging, backup location) and refuses a target stack that does not
 * declare its qualification evidence. It does not, and cannot, establish that an offer
 * is SecNumCloud-qualified.
 */
import { PolicyPack } from '@pulumi/policy';
import { SECNUMCLOUD_POLICIES } from './policies.ts';

new PolicyPack('cloudexit-secnumcloud', {
  description: 'SecNumCloud rules that code can check, for the cloudexit warehouse target stacks.',
  enforcementLevel: 'mandatory',
  policies: SECNUMCLOUD_POLICIES,
});
