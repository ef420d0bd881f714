/**
 * The plan as a reader of another language sees it: every text the runbooks print from the
 * plan (titles, phase names, owners, the communication plan, the governance section) replaced
 * by its translation in the plan's `translations` section, when it has one. Identifiers
 * (dataset names, containers, hosts, hook paths, roles) are never touched: only the fields
 * listed here are looked up, and only by their exact text.
 */
import type { LoadedPlan } from '../../plan/load.ts';
import type { Lang } from '../i18n/lang.ts';

export function localizePlan(plan: LoadedPlan, lang: Lang): LoadedPlan {
  const table = lang === 'en' ? undefined : plan.translations[lang];
  if (!table || Object.keys(table).length === 0) return plan;
  const tr = (text: string) => table[text] ?? text;
  const opt = (text: string | undefined) => (text === undefined ? undefined : tr(text));
  const g = plan.governance;
  return {
    ...plan,
    title: tr(plan.title),
    window: { ...plan.window, reference: opt(plan.window.reference) },
    datasets: plan.datasets.map((d) => ({ ...d, title: tr(d.title) })),
    phases: plan.phases.map((p) => ({
      ...p,
      name: tr(p.name),
      owners: {
        decisionMaker: tr(p.owners.decisionMaker),
        opsLead: tr(p.owners.opsLead),
        dataOwner: tr(p.owners.dataOwner),
        dpo: tr(p.owners.dpo),
      },
    })),
    communication: plan.communication.map((c) => ({
      ...c,
      timing: opt(c.timing),
      audience: tr(c.audience),
      message: tr(c.message),
      channel: tr(c.channel),
    })),
    governance: {
      ...g,
      people: g.people.map((p) => ({ ...p, name: tr(p.name), role: tr(p.role), organisation: tr(p.organisation) })),
      escalation: g.escalation.map((e) => ({ ...e, decides: tr(e.decides) })),
      vendorSupport: g.vendorSupport.map((v) => ({
        ...v,
        services: tr(v.services),
        contract: tr(v.contract),
        channel: tr(v.channel),
        severity: opt(v.severity),
      })),
      goNoGo: g.goNoGo.map((c) => ({ ...c, criterion: tr(c.criterion) })),
      acceptance: {
        checks: g.acceptance.checks.map(tr),
        signers: g.acceptance.signers.map((s) => ({ role: tr(s.role), organisation: tr(s.organisation) })),
      },
      documentControl: { ...g.documentControl, classification: tr(g.documentControl.classification) },
      risks: g.risks.map((r) => ({ ...r, title: tr(r.title), owner: tr(r.owner), mitigation: tr(r.mitigation) })),
      hypercareExitCriteria: g.hypercareExitCriteria.map(tr),
    },
  };
}
