/**
 * The plan's `governance` section: what a project manager needs before signing a cutover
 * runbook and that only people can supply — who to call and when to escalate, the vendors'
 * support channels, the business go/no-go criteria, who signs the user acceptance, the
 * document's version and reviewers, the plan's own risks, and the hours of the cutover
 * night. The runbooks (src/report/runbook/) print it; nothing else reads it.
 *
 * Names not known yet are written as the placeholder "À compléter / TBD" so that a sample
 * never presents invented people as real ones; the runbooks list what is still to complete.
 */
import { z } from 'zod';

/** The value that marks a name, phone or e-mail as still to be supplied. */
export const PLACEHOLDER = 'À compléter / TBD';

/** Whether a plan value is the placeholder rather than a real name, phone or e-mail. */
export function isPlaceholder(text: string | undefined): boolean {
  return text === PLACEHOLDER;
}

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower case letters, digits and dashes (e.g. "ops-lead")');

const orPlaceholder = (rule: z.ZodString) => z.union([z.literal(PLACEHOLDER), rule]);

const phone = orPlaceholder(
  z
    .string()
    .regex(
      /^\+[0-9][0-9 .-]{6,20}$/,
      `must be an international number such as "+33 1 23 45 67 89", or "${PLACEHOLDER}"`,
    ),
);

const email = orPlaceholder(
  z
    .string()
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, `must be an e-mail address such as "ops@example.fr", or "${PLACEHOLDER}"`),
);

const ownerRole = z.enum(['decisionMaker', 'opsLead', 'dataOwner', 'dpo']);

/** A clock time `HH:MM` (Europe/Paris), 00:00 to 23:59. */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time written HH:MM such as "20:00"');

const level = z.enum(['low', 'medium', 'high']);

/** Someone the runbooks list as a contact, and escalation levels point to by `id`. */
const personSchema = z.strictObject({
  /** How escalation levels and acceptance signers refer to this person. */
  id,
  /** Full name, or the placeholder until it is known. */
  name: z.string().min(1),
  /** What they do in the migration, e.g. "Platform operations lead". */
  role: z.string().min(1),
  organisation: z.string().min(1),
  /** International format, or the placeholder. @default none */
  phone: phone.optional(),
  /** @default none */
  email: email.optional(),
  /** Reachable during the cutover night and the hypercare. @default false */
  onCall: z.boolean().default(false),
});

/** One level of the escalation matrix: who is called, after how long without a fix. */
const escalationSchema = z.strictObject({
  /** 1 for the first person called, then 2, 3… */
  level: z.number().int().min(1).max(9),
  /** The `id` of a person of `people`. */
  who: id,
  /** Minutes after the incident started, without a fix, at which this level is called. */
  afterMinutes: z.number().int().min(0).max(10_080),
  /** What this level decides or does, e.g. "decides a rollback". */
  decides: z.string().min(1),
});

/** A vendor's support, for incidents on the source (Microsoft) or the target (OVHcloud). */
const vendorSchema = z.strictObject({
  /** e.g. "Microsoft", "OVHcloud". */
  vendor: z.string().min(1),
  /** The services concerned, e.g. "Azure Blob Storage, Azure Database for PostgreSQL". */
  services: z.string().min(1),
  /** The support contract or plan and its number (or the placeholder). */
  contract: z.string().min(1),
  /** How a ticket is opened, e.g. "Azure portal, Help + support". */
  channel: z.string().min(1),
  /** Severity to open a cutover incident with, e.g. "A (critical)". @default none */
  severity: z.string().min(1).optional(),
});

/** A business criterion the go/no-go meeting checks, beside the technical gates cloudexit checks itself. */
const criterionSchema = z.strictObject({
  criterion: z.string().min(1),
  /** The owner role that answers for it at the meeting. */
  owner: ownerRole,
});

/** A risk the plan knows of, for the risk register. */
const riskSchema = z.strictObject({
  /** e.g. "R1". */
  id: z.string().regex(/^R\d{1,3}$/, 'must be R followed by a number, e.g. "R1"'),
  title: z.string().min(1),
  likelihood: level,
  impact: level,
  /** Who watches it and acts (a role or a name). */
  owner: z.string().min(1),
  mitigation: z.string().min(1),
});

export const governanceSchema = z
  .strictObject({
    /** Contacts of the migration. @default [] (the runbooks say none is listed) */
    people: z.array(personSchema).default([]),
    /** The escalation matrix, levels in increasing order. @default [] */
    escalation: z.array(escalationSchema).default([]),
    /** Vendor support (Microsoft, OVHcloud). @default [] */
    vendorSupport: z.array(vendorSchema).default([]),
    /** Business go/no-go criteria. @default [] (the technical gates only) */
    goNoGo: z.array(criterionSchema).default([]),
    /** User acceptance: what users check on the new host, and who signs it. */
    acceptance: z
      .strictObject({
        /** What the users check before signing, e.g. "a research project opens its extracts". @default [] */
        checks: z.array(z.string().min(1)).default([]),
        /** Who signs (role and organisation). @default [] */
        signers: z.array(z.strictObject({ role: z.string().min(1), organisation: z.string().min(1) })).default([]),
      })
      .prefault({}),
    /** Document control of the runbooks. @default version "0.1", the placeholder for the rest */
    documentControl: z
      .strictObject({
        /** @default "0.1" */
        version: z
          .string()
          .regex(/^\d+(\.\d+){0,2}$/, 'must be a version such as "1.0" or "1.2.3"')
          .default('0.1'),
        /** @default the placeholder */
        author: z.string().min(1).default(PLACEHOLDER),
        /** @default [the placeholder] */
        reviewers: z.array(z.string().min(1)).min(1).default([PLACEHOLDER]),
        /** The change request the cutover runs under. @default the placeholder */
        changeReference: z.string().min(1).default(PLACEHOLDER),
        /** @default "Internal — restricted" */
        classification: z.string().min(1).default('Internal — restricted'),
      })
      .prefault({}),
    /** The plan's own risks; the runbooks add those the state reveals. @default [] */
    risks: z.array(riskSchema).default([]),
    /** Clock time (Europe/Paris) of the freeze on the day of a cutover. @default "20:00" */
    freezeAt: clockTime.default('20:00'),
    /** Minutes between the go/no-go meeting and the freeze. @default 60 minutes */
    goNoGoMinutesBefore: z.number().int().min(0).max(1_440).default(60),
    /**
     * How long a rollback takes, in minutes, when it was timed in a rehearsal; otherwise the
     * runbooks give the upper bound the hook timeouts allow. @default none (computed)
     */
    rollbackMinutes: z.number().int().min(1).max(10_080).optional(),
    /** What must hold for the hypercare to end. @default [] (the runbooks give the standard ones) */
    hypercareExitCriteria: z.array(z.string().min(1)).default([]),
  })
  .superRefine((g, ctx) => {
    const ids = new Set<string>();
    g.people.forEach((p, i) => {
      if (ids.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['people', i, 'id'],
          message: `person id "${p.id}" is used twice`,
          params: { fix: 'give every person of governance.people its own id' },
        });
      ids.add(p.id);
    });
    g.escalation.forEach((e, i) => {
      if (!ids.has(e.who))
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', i, 'who'],
          message: `there is no person "${e.who}" in governance.people`,
          params: {
            fix: ids.size > 0 ? `use one of: ${[...ids].join(', ')}` : 'add the person under governance.people first',
          },
        });
      const previous = g.escalation[i - 1];
      if (previous && (e.level <= previous.level || e.afterMinutes < previous.afterMinutes))
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', i],
          message: `level ${e.level} after ${e.afterMinutes} min comes after level ${previous.level} after ${previous.afterMinutes} min`,
          params: { fix: 'list the levels in increasing order, each called no sooner than the one before' },
        });
    });
  })
  .prefault({});

export type Governance = z.output<typeof governanceSchema>;
export type GovernancePerson = Governance['people'][number];
export type PlanRisk = Governance['risks'][number];
export type RiskLevel = z.output<typeof level>;
