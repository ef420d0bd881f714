/**
 * Les mots français des sections principales des runbooks (vue d’ensemble, périmètre,
 * planning, rôles, liste de contrôle, étapes, go/no-go, retour arrière, communication,
 * preuves, signatures, libellés du calendrier), typés par le catalogue anglais (en-core.ts).
 */
import type { CoreMessages } from './en-core.ts';

export const frCore: CoreMessages = {
  nouns: {
    object: ['objet', 'objets'],
    dataset: ['jeu de données', 'jeux de données'],
    database: ['base de données', 'bases de données'],
    table: ['table', 'tables'],
    phase: ['phase', 'phases'],
    year: ['an', 'ans'],
    day: ['jour', 'jours'],
    mismatch: ['écart', 'écarts'],
    copyRun: ['exécution de copie', 'exécutions de copie'],
  },
  list: (items) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} et ${items.at(-1)}`),
  state: {
    committed: 'Validée',
    rolledBack: 'Annulée par un retour arrière, un nouveau go est nécessaire',
    stopped: (step) => `Arrêtée à l’étape « ${step} »`,
    underWayAfter: (step) => `Bascule en cours, faite jusqu’à « ${step} »`,
    underWay: 'Bascule en cours',
    notStarted: 'Pas commencée',
  },
  asOf: {
    none: 'L’état n’enregistre encore aucune exécution ni aucun événement d’audit : ce runbook décrit donc le plan seul et ne compte aucun jour restant ; il n’est jamais daté du jour où il a été écrit. Passez `--as-of AAAA-MM-JJ` pour compter les jours à partir d’un jour donné.',
    option: (at, option) => `État au **${at}**, l’instant donné par ${option}.`,
    state: (at) =>
      `État au **${at}**, la dernière activité enregistrée dans l’état (la dernière exécution, le dernier événement d’audit ou la dernière mise à jour de phase). Le runbook ne dépend pas du jour où il est écrit.`,
  },
  daysLeft: {
    notStarted: (closes) =>
      `La fenêtre se ferme le **${closes}** ; les jours restants sont comptés dès que la migration a commencé.`,
    closed: (days) => `elle s’est fermée il y a ${days}`,
    left: (n, days, today) => `**${days} ${n < 2 ? 'restant' : 'restants'}** au ${today}`,
    sentence: (closes, left) => `La fenêtre se ferme le **${closes}** : ${left}.`,
  },
  overview: {
    intro: (migration, command, notStarted, asOf) =>
      `Runbooks de bascule de la migration ${migration}, écrits par ${command} à partir du plan et de l’état. ${notStarted ? 'Statut : **pas commencée**. ' : ''}${asOf}`,
    window: 'Fenêtre d’autorisation',
    authorised: (on, years, reference) =>
      `Hébergement autorisé le ${on} pour ${years}${reference ? ` : ${reference}` : ''}.`,
    deadline: (deadline, margin, fromToday) =>
      `Toutes les phases doivent être validées au plus tard le **${deadline}**, une marge de sécurité de ${margin}${fromToday ? ` (${fromToday})` : ''}.`,
    fromToday: (days, today) => `${days} à compter du ${today}`,
    committed: (n, phases, total) => `Phases validées : ${n} sur ${total}.`,
    rate: (bytes, objects, runs) => `Débit de copie mesuré : ${bytes}/s et ${objects} objets/s, sur ${runs}.`,
    noRate:
      'Débit de copie mesuré : aucun pour l’instant ; les dates projetées apparaissent après la première copie terminée.',
    timeline: 'Chronologie',
    timelineNote:
      'Les barres faites viennent de l’état, les barres projetées du débit de copie mesuré, les jalons prévus du plan. Le rouge marque la fin de la fenêtre d’autorisation et ce qui tombe ce jour-là ou après.',
    status: 'Statut',
    statusHead: [
      'Phase',
      'État',
      'Bascule prévue',
      'Marge avant la fin de la fenêtre',
      'Copié',
      'Vérifié en entier',
      'Go donnés',
      'Fin de la copie de masse',
      'Runbook',
    ],
    allCopied: (objects) => `tout (${objects})`,
    notInventoried: 'pas encore inventoriée',
    copied: (copied, objects, bytes, unlisted, unlistedCount) =>
      `${copied} sur ${objects} (${bytes})${unlistedCount > 0 ? ` ; ${unlisted} pas encore ${unlistedCount < 2 ? 'listé' : 'listés'}` : ''}`,
    notYet: 'pas encore',
    of: (a, b) => `${a} sur ${b}`,
    done: 'faite',
    atRisk: ' **à risque**',
    phaseLink: (id) => `Runbook de la phase ${id}`,
    risks: 'Risques',
    noRisk: 'Aucun dans le plan ni dans l’état.',
    phaseRunbooks: 'Runbooks des phases',
    phaseItem: (link, state, planned, owner, role) =>
      `${link} : ${state}, prévue le ${planned} ; décidée par ${owner} (${role}).`,
    audit: 'Journal d’audit',
    auditHead: (seq, at, hash, command) =>
      `Tête du journal d’audit chaîné : événement ${seq} du ${at}, empreinte ${hash}. Notez-la à chaque signature ; ${command} vérifie qu’un journal ultérieur la contient toujours.`,
    noAudit: 'Aucun événement d’audit n’est encore enregistré.',
    about: 'À propos de ces fichiers',
    aboutText: (command, plan, state, out, initial, asOfDay) =>
      `Fichiers générés ; ne pas les modifier à la main. Le même plan et le même état donnent toujours les mêmes fichiers : ils se relisent sous forme de différences. Pour les écrire de nouveau : ${command} avec les mêmes ${plan}, ${state} et ${out} (${initial} pour le plan avant toute exécution). Les dates sont des jours calendaires, heure de Paris${asOfDay ? ` ; l’état décrit est celui du ${asOfDay}` : ''}.`,
    windowClosed: (closes) => `La fenêtre d’autorisation s’est fermée le ${closes}`,
    phaseRisk: (id, text) => `Phase ${id} : ${text}`,
    notInventoriedRisk: (phases, command, count) =>
      `${count < 2 ? 'Phase' : 'Phases'} ${phases} pas encore ${count < 2 ? 'inventoriée' : 'inventoriées'} : lancez ${command} pour savoir ce qui reste`,
    notMeasuredRisk: (command) => `Aucune copie n’a encore été mesurée : lancez ${command} pour mesurer le débit`,
    migrationLate: (day, deadline) => `La copie de masse devrait finir le ${day}, après l’échéance du ${deadline}`,
  },
  phase: {
    title: (id, name) => `Phase ${id}, ${name}`,
    intro: (id, title, state, asOf, daysLeft, back) =>
      `Runbook de la phase ${id} du projet « ${title} ». État : **${state}**. ${asOf} ${daysLeft} ${back}.`,
    back: 'Retour à la vue d’ensemble',
    purpose: 'Objet et périmètre',
    objectsPart: (datasets, source, target) =>
      `${datasets} de fichiers d’Azure Blob Storage (${source}) vers le stockage S3 du nouvel hébergeur (${target})`,
    databasesPart: (databases) => `${databases} d’Azure Database for PostgreSQL vers le PostgreSQL du nouvel hébergeur`,
    everyObject: 'le SHA-256 de chaque objet',
    everyTable: 'les empreintes de chaque table',
    purposeText: (parts, proofs, planned) =>
      `Transférer ${parts}, prouver que tout est arrivé (${proofs}), puis faire du nouvel hébergeur la copie de référence. Prévu le ${planned}.`,
    scopeHead: {
      dataset: 'Jeu de données',
      source: 'Source',
      target: 'Cible',
      objects: 'Objets',
      tables: 'Tables',
      size: 'Taille',
    },
    notInventoried: 'pas inventorié',
    total: (objects, tables, bytes, deleted) =>
      `Au total ${objects}${tables ? ` et ${tables}` : ''}, ${bytes}.${deleted ? ` Supprimés à la source depuis le premier listage, conservés sur le nouvel hébergeur : ${deleted}.` : ''}`,
    deletedOf: (objects, title) => `${objects} de ${title}`,
    notListed: (command) => `Objets et tailles apparaissent une fois la source listée : ${command}.`,
    schedule: 'Planning',
    scheduleNote:
      'Les dates prévues viennent du plan, les dates projetées du débit de copie mesuré (une copie de masse qui finit après le jour prévu décale la bascule avec elle), les dates effectives de l’état.',
    scheduleHead: ['Quoi', 'Prévu', 'Projeté', 'Effectif'],
    atRisk: (date) => `${date} **à risque**`,
    unknown: 'inconnu',
    bulkCopy: 'Copie de masse',
    fullVerification: 'Vérification complète',
    goOfFour: 'Go des quatre responsables',
    before: (date) => `avant le ${date}`,
    ends: (at, risk) => `finit le ${at}${risk ? ' **à risque**' : ''}`,
    unknownUntilMeasured: 'inconnu tant qu’aucune copie n’est mesurée',
    span: (from, to, underWay) => `du ${from} au ${to}${underWay ? ', en cours' : ''}`,
    notStarted: 'pas commencée',
    afterBulk: 'après la copie de masse',
    lastObject: (at, underWay) => `dernier objet le ${at}${underWay ? ', en cours' : ''}`,
    goes: (n, of, last) => `${n} sur ${of}, le dernier le ${last}`,
    noneYet: 'aucun pour l’instant',
    stopped: (at) => `arrêtée le ${at}`,
    notRun: 'pas exécutée',
    roles: 'Rôles',
    rolesHead: ['Rôle', 'Qui', 'Décide ou fait', 'Go enregistré'],
    duties: {
      decisionMaker: 'Donne le go ou le no-go ; décide d’un retour arrière ; signe la validation',
      opsLead: 'Lance les commandes et les hooks ; rend compte de chaque étape',
      dataOwner: 'Confirme que les données sont complètes et utilisables sur le nouvel hébergeur',
      dpo: 'Confirme que le transfert respecte l’autorisation et la protection des données ; classe les preuves',
    },
    notYet: 'pas encore',
  },
  checklist: {
    heading: 'Liste de contrôle avant la bascule',
    intro:
      'Lue dans l’état à l’instant du runbook. Le contrôle go/no-go (la première étape de la bascule) vérifie de nouveau les mêmes points et refuse de continuer tant que l’un d’eux échoue (la parité des piles seulement par une dérogation explicite, enregistrée dans le journal d’audit).',
    listed: (objects, bytes) => `Source listée : ${objects}, ${bytes}.`,
    listedSome: (n, datasets, command) => `Source listée pour ${n} sur ${datasets} : lancez ${command}.`,
    bulkDone: (objects) => `Copie de masse terminée : chaque objet est sur le nouvel hébergeur (${objects}).`,
    bulkWaits: (command) => `Copie de masse : commence une fois la source listée, avec ${command}.`,
    bulkPart: (copied, objects, command, left) =>
      `Copie de masse : ${copied} sur ${objects} sur le nouvel hébergeur. Lancez ${command} ; temps restant : ${left}.`,
    verifyDone:
      'Vérification complète sans écart : chaque objet a été relu sur le nouvel hébergeur et son SHA-256 correspond.',
    verifyWaits: (command) => `Vérification complète : après la copie de masse, avec ${command}.`,
    verifyPart: (full, objects, command, left) =>
      `Vérification complète : ${full} sur ${objects} relus et conformes. Lancez ${command} ; temps restant : ${left}.`,
    parityNone: (command) =>
      `Parité des piles : aucun rapport enregistré ; le go/no-go refuse de continuer sans rapport (ou sans dérogation explicite et tracée). Enregistrez-en un avec ${command}.`,
    parityOk: 'Parité des piles : les piles Azure et OVHcloud sont équivalentes.',
    parityDiffers: (detail) => `Parité des piles : **les piles diffèrent**. ${detail}.`,
    goDone: (role, owner, at) => `Go du ${role}, ${owner}, enregistré le ${at}.`,
    goOpen: (role, owner, command) => `Go du ${role}, ${owner} : ${command}.`,
    yourName: '<votre nom>',
    hooksOk: 'Les hooks de gel et de bascule sont configurés dans le plan.',
    hooksMissing: (detail) => `Hooks : ${detail}.`,
  },
  stepsSection: {
    heading: 'Étapes',
    intro: (command, commit, status) =>
      `Une seule commande exécute les étapes dans l’ordre jusqu’au test de fumée : ${command}. Chaque étape est enregistrée dans l’état et le journal d’audit avant que la suivante commence. Si une étape échoue, la bascule s’arrête là et dit pourquoi ; une fois la cause corrigée, la même commande reprend à cette étape. La validation, le point de non-retour, est une décision à part, prise une fois le test de fumée réussi : ${commit}. ${status} montre où en est la bascule.`,
    head: [
      'N°',
      'Étape',
      'Commande ou script',
      'Responsable',
      'Durée prévue',
      'Critère de réussite',
      'Résultat effectif',
    ],
  },
  decision: {
    committed: 'Le go a été donné et la phase est validée.',
    go: '**Go** : tous les contrôles sont au vert à la date de ce runbook.',
    noGo: (gates) => `**No-go** à la date de ce runbook, points non remplis : ${gates} (voir la liste de contrôle).`,
    gates: {
      'bulk-copy': 'copie de masse',
      'full-verify': 'vérification complète',
      parity: 'parité',
      approvals: 'go des responsables',
      hooks: 'hooks',
    },
    goNoGo: 'Go/no-go',
    goNoGoText: (role, owner, date, command, roles, verdict) =>
      `Le ${role}, ${owner}, décide lors d’une réunion go/no-go le ${date}, une fois tous les points de la liste de contrôle remplis. Chaque responsable enregistre son go avec ${command} (une personne tient un seul rôle), le rôle étant l’un de ${roles}. La bascule ne peut pas commencer sans les quatre. ${verdict}`,
    approveCommand: (id) => `npx cloudexit cutover --phase ${id} --approve <rôle> --as "<votre nom>"`,
    pointOfNoReturn: 'Point de non-retour',
    pointText: (rollback, passed) =>
      `La dernière étape, la validation. Jusque-là, la source reste la copie de référence et ${rollback} y revient. Ensuite, le retour arrière est refusé : le nouvel hébergeur peut contenir des écritures que la source n’a jamais vues. ${passed}`,
    passed: (id, at) => `La phase ${id} l’a franchi le ${at}.`,
    notPassed: 'Pas encore franchi.',
    rollback: 'Retour arrière',
    rollbackWho: (role) =>
      `Qui décide : le ${role}. Un retour arrière efface le go de chaque responsable : une nouvelle tentative en demande quatre nouveaux.`,
    rollbackHead: ['Si cela échoue à l’étape', 'Comment revenir en arrière'],
  },
  stepText: {
    hook: (hook, file) => `le hook ${hook} (${file})`,
    noHook: (hook) => `le hook ${hook} (absent du plan)`,
    criterion: {
      preflight:
        'Chaque point de la liste de contrôle est rempli : copie de masse terminée, vérification complète sans écart, piles équivalentes avec chaque écart accepté dans le plan (ou contrôle de parité levé par dérogation motivée), go des quatre responsables, hooks de gel et de bascule configurés et leurs fichiers trouvés.',
      freeze: (hook) =>
        `${hook} se termine avec succès : plus personne ne peut écrire à la source. L’heure du gel est enregistrée.`,
      quiescence: 'La source est listée de nouveau et aucun objet n’a été écrit après le gel.',
      finalSync:
        'Chaque objet ajouté ou modifié depuis la copie de masse est sur le nouvel hébergeur ; aucun en échec.',
      verify:
        'Ce que la copie finale a apporté est relu sur le nouvel hébergeur et son SHA-256 correspond ; chaque autre objet passe le contrôle rapide (taille, ETag, SHA-256 enregistré). Aucun écart, plus rien à copier.',
      switch: (hook) => `${hook} se termine avec succès : les lecteurs utilisent le nouvel hébergeur.`,
      smoke: (hook) => `${hook} se termine avec succès : l’application fonctionne avec le nouvel hébergeur.`,
      noSmoke:
        'Le plan n’a pas de hook de test de fumée : l’étape est enregistrée comme sautée. Vérifiez l’application à la main avant la validation.',
      commit:
        'La validation, donnée une fois le test de fumée réussi, est enregistrée dans l’état et le journal d’audit : le nouvel hébergeur est la copie de référence.',
    },
    rollback: {
      thaw: (hook) => `lance ${hook} : les écritures sont de nouveau permises à la source`,
      noThaw: 'ne trouve pas de hook de dégel dans le plan : rétablissez à la main les écritures à la source',
      back: (hook) => `lance ${hook} pour renvoyer les lecteurs vers la source, puis`,
      noBack:
        'ne trouve pas de hook de retour arrière dans le plan : renvoyez à la main les lecteurs vers la source ; ensuite, il',
      preflight:
        'Rien à défaire : rien n’a été modifié. Corrigez ce que montre la liste de contrôle, puis relancez la bascule.',
      harmless: (rollback, thaw) =>
        `${rollback} ${thaw}. La source reste la copie de référence ; ce qui est sur le nouvel hébergeur est sans conséquence et sera recopié à la prochaine tentative.`,
      quiescence: (rollback, thaw) => `${rollback} ${thaw}. Trouvez pourquoi le gel n’a pas tenu avant de réessayer.`,
      switched: (rollback, back, thaw) => `${rollback} ${back} ${thaw}.`,
      commit: (rollback) =>
        `Aucun. Après la validation, ${rollback} refuse : le nouvel hébergeur peut déjà contenir des écritures que la source n’a jamais vues. Revenir en arrière voudrait dire une nouvelle migration dans l’autre sens.`,
    },
    duration: {
      skipped: 'aucune : étape sautée',
      noHook: 'impossible : pas de hook dans le plan',
      hook: (max) => `le temps du hook, au plus ${max}`,
      quick: 'moins d’une minute',
      listing: (objects) => `un listage de la source (${objects}) ; non mesuré`,
      listingUnknown: 'un listage de la source ; non mesuré',
      notInventoried: 'inconnue tant que la phase n’est pas inventoriée',
      notMeasured: 'inconnue tant qu’aucune copie n’est mesurée',
      finalSync: (len, objects, bytes) =>
        `${len} pour ce qui n’est pas encore copié (${objects}, ${bytes}), plus ce qui change avant le gel`,
      verify: (len) => `${len} au débit mesuré (borne haute)`,
      nothingLeft: 'plus rien à faire',
      left: (len, objects, bytes) => `${len} pour ${objects} (${bytes})`,
    },
    outcome: {
      done: (at, what) => `Fait le ${at} : ${what}`,
      undone: (what, at) => `${what} ; défait par le retour arrière du ${at}`,
      noGo: (at) => `**Arrêtée** le ${at} : no-go, la liste de contrôle n’était pas complète`,
      stopped: (at, error) => `**Arrêtée** le ${at} : ${error}`,
      notRun: 'Pas encore exécutée',
    },
    done: {
      preflight: 'tous les contrôles au vert',
      frozenAt: (at) => `source gelée le ${at}`,
      frozen: 'source gelée',
      quiescence: 'aucune écriture après le gel',
      finalSync: (objects, bytes) => `${objects} (${bytes}) copiés`,
      verify: (full, quick) => `${full} relus en entier, ${quick} contrôlés rapidement, aucun écart`,
      switch: 'lecteurs basculés vers le nouvel hébergeur',
      skipped: 'sautée, pas de hook de test de fumée',
      passed: 'réussi',
      commit: 'validée',
    },
    command: {
      hook: (file, cutover) => `${file}, lancé par ${cutover}`,
      noHook: (hook) => `pas de hook ${hook} dans le plan`,
      quiescence: (status) => `la même exécution liste de nouveau la source ; suivez-la avec ${status}`,
      finalSync: (cutover) => `la même exécution copie ce qui a changé ; si elle s’arrête, ${cutover} reprend ici`,
      verify: (verify) => `la même exécution vérifie ; pour contrôler de nouveau plus tard : ${verify}`,
      commit: (commit) => `${commit} (une décision à part)`,
    },
  },
  communication: {
    heading: 'Communication',
    none: (key) => `Le plan n’a aucun message pour cette phase : ajoutez-les sous ${key} dans le plan.`,
    head: ['Quand', 'Qui est informé', 'Quoi', 'Canal', 'Envoyé par'],
    when: (moment, timing) => (timing ? `${moment} : ${timing}` : moment),
    moments: {
      'before-freeze': 'Avant le gel',
      'go-no-go': 'Au go/no-go',
      'after-switch': 'Après la bascule',
      'after-commit': 'Après la validation',
      'on-rollback': 'En cas de retour arrière',
    },
  },
  evidence: {
    heading: 'Preuves',
    intro: (sha256sum, file) =>
      `Ce qui prouve que la phase a réussi, pour les auditeurs (CNIL, certification HDS). Chaque manifeste liste le SHA-256 de chaque objet au format que lit ${sha256sum} ; une copie se trouve à côté des données sur le nouvel hébergeur (${file} dans chaque jeu de données). Les chemins sont relatifs à ce fichier.`,
    manifests: 'Manifestes',
    manifestsHead: [
      'Jeu de données',
      'Fichier manifeste',
      'Objets listés',
      'SHA-256 du manifeste',
      'Identique à celui du journal d’audit',
    ],
    notKept: 'non conservé',
    tables: (n) => `${n} tables`,
    fingerprintsOf: (at) => `empreintes par table du ${at}`,
    notWrittenYet: 'pas encore écrit',
    fingerprintsLater: 'empreintes par table, écrites par la vérification de la base',
    notInEvidence: 'absent du dossier des preuves',
    writtenWhen: (command) => `écrit quand le jeu de données est entièrement copié (${command})`,
    notRecorded: 'non enregistré : le manifeste a été écrit hors d’une commande copy ou verify',
    same: (at) => `oui, ${at}`,
    differs: (at) => `**diffère** de celui enregistré le ${at} : le fichier a changé depuis`,
    results: 'Résultats de vérification',
    resultsHead: [
      'Jeu de données',
      'Relus en entier et conformes',
      'Dernier objet vérifié en entier',
      'Dernière commande de vérification',
    ],
    tablesOf: (n, of) => `${n} tables sur ${of}`,
    never: 'jamais',
    tableFingerprints: (at, ok) => `empreintes des tables du ${at} : ${ok ? 'toutes conformes' : '**écarts**'}`,
    noneRecorded: 'aucune enregistrée',
    lastVerify: (command, at, objects, mismatches) => `${command} le ${at} : ${objects} vérifiés, ${mismatches}`,
    audit: 'Journal d’audit',
    auditHead: (seq, hash, command, doc, jq, sha256sum) =>
      `Tête du journal d’audit à la date de ce runbook : événement ${seq}, empreinte ${hash}. ${command} vérifie la chaîne et qu’un journal ultérieur contient toujours cet événement ; ${doc} montre comment le vérifier avec ${jq} et ${sha256sum} seuls.`,
    noAudit: 'Aucun événement d’audit n’est encore enregistré.',
    noEvent: (id) => `Aucun événement sur la phase ${id} pour l’instant.`,
    eventsHead: ['Événement', 'Quand', 'Qui', 'Quoi', 'Résultat'],
    lastEvents: (shown, total, id, command) =>
      `Les ${shown} derniers des ${total} événements sur la phase ${id} ; ${command} les donne tous.`,
    events: {
      go: (role) => `Go enregistré${role ? `, ${role}` : ''}`,
      restart: 'Nouvelle tentative de bascule après un retour arrière',
      inventory: 'Listage de la source',
      copy: 'Copie',
      'verify-quick': 'Vérification rapide',
      'verify-full': 'Vérification complète',
      rehearse: 'Répétition',
      rollback: 'Retour arrière',
      rollbackHook: (hook) => `Retour arrière, hook ${hook}`,
    },
  },
  signOff: {
    heading: 'Signatures',
    intro:
      'Chaque responsable signe pour le go, puis pour la validation (ou le retour arrière), et note la tête du journal d’audit affichée à ce moment-là.',
    head: [
      'Rôle',
      'Nom',
      'Décision (go, no-go, validation, retour arrière)',
      'Date et heure (Paris)',
      'Tête du journal d’audit',
      'Signature',
    ],
  },
  timeline: {
    title: (title) => `${title} au regard de la fenêtre d’autorisation`,
    window: 'Fenêtre d’autorisation',
    asOf: (day) => `État au ${day}`,
    deadline: (day) => `Échéance, toutes les phases validées (${day})`,
    closes: (day) => `Fermeture de la fenêtre (${day})`,
    section: (id, name) => `Phase ${id}, ${name}`,
    copyDone: 'Copie de masse, faite',
    copyProjected: (day) => `Copie de masse, fin projetée le ${day}`,
    copyUnderWay: 'Copie de masse, en cours',
    cutoverCommitted: 'Bascule, validée',
    cutoverRolledBack: 'Bascule, annulée',
    cutoverUnderWay: 'Bascule, en cours',
    cutoverPlanned: (day) => `Bascule prévue (${day})`,
    hypercare: (day) => `Hypercare, jusqu’au ${day}`,
    decommission: (day) => `Décommissionnement à partir du ${day}`,
    gone: (day) => `Dernière copie à la source supprimée (${day})`,
  },
};
