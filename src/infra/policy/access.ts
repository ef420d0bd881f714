/**
 * Least privilege: no S3 policy with a `*` action or resource, no broad Azure role.
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { BROAD_ROLES } from '../azure-security.ts';
import { str } from './helpers.ts';

const WILDCARD_ACTIONS = new Set(['*', 's3:*']);
const WILDCARD_RESOURCES = new Set(['*', 'arn:aws:s3:::*', 'arn:aws:s3:::*/*']);

/** Problems of an S3 policy document: one line each; empty when it is least-privilege. */
function s3PolicyProblems(document: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    return ['the policy is not valid JSON'];
  }
  const statements = (doc as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? statements : statements === undefined ? [] : [statements];
  if (list.length === 0) return ['the policy has no Statement'];
  const problems: string[] = [];
  list.forEach((s, i) => {
    const st = s as {
      Sid?: string;
      Effect?: string;
      Action?: unknown;
      Resource?: unknown;
      NotAction?: unknown;
      NotResource?: unknown;
    };
    if (st.Effect !== 'Allow') return;
    const label = st.Sid ?? `statement ${i + 1}`;
    const asList = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
    for (const a of asList(st.Action))
      if (WILDCARD_ACTIONS.has(a)) problems.push(`${label} allows every action ("${a}")`);
    for (const r of asList(st.Resource))
      if (WILDCARD_RESOURCES.has(r)) problems.push(`${label} applies to every bucket ("${r}")`);
    if (st.NotAction !== undefined || st.NotResource !== undefined)
      problems.push(`${label} uses NotAction/NotResource, which allows everything not listed`);
    if (asList(st.Resource).length === 0) problems.push(`${label} names no resource`);
  });
  return problems;
}

export const leastPrivilege: ResourceValidationPolicy = {
  name: 'least-privilege',
  description:
    'S3 policies name their actions and buckets (no "*"); no Owner, Contributor, User Access Administrator or data-owner role is assigned.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type === 'ovh:CloudProject/s3Policy:S3Policy') {
      const doc = str(args.props, 'policy');
      // During preview the document may still be unknown; the update run checks it.
      if (doc !== undefined) for (const problem of s3PolicyProblems(doc)) report(problem);
    }
    if (args.type === 'azure-native:authorization:RoleAssignment') {
      const role = (str(args.props, 'roleDefinitionId') ?? '').toLowerCase();
      const broad = BROAD_ROLES.find((guid) => role.endsWith(guid));
      if (broad) report(`role ${broad} grants far more than the warehouse needs; assign a narrower built-in role`);
    }
  },
};
