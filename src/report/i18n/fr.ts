/**
 * Les mots français des runbooks : le catalogue anglais (en.ts) traduit clé par clé. Son type
 * est `Messages` : une clé absente ici est une erreur de compilation.
 * Typographie : guillemets « », une espace avant « : », dates « 1er décembre 2026 à 20 h 00 ».
 */
import type { Messages } from './en.ts';
import { frCore } from './fr-core.ts';

export const fr: Messages = {
  ...frCore,
  roles: {
    decisionMaker: 'décideur',
    opsLead: 'responsable des opérations',
    dataOwner: 'responsable des données',
    dpo: 'délégué à la protection des données',
  },
  steps: {
    preflight: 'Contrôle go/no-go',
    freeze: 'Gel des écritures à la source',
    quiescence: 'Contrôle qu’aucune écriture n’a suivi le gel',
    'final-sync': 'Copie finale de ce qui a changé',
    verify: 'Vérification de la copie finale',
    switch: 'Bascule des lecteurs vers le nouvel hébergeur',
    'smoke-check': 'Test de fumée sur le nouvel hébergeur',
    commit: 'Validation : le point de non-retour',
  },
  yes: 'oui',
  no: 'non',
  none: 'aucun',
  unknown: 'inconnue',
  placeholderNote: (count, n) =>
    `**À compléter avant le go/no-go** : ${n} ${count < 2 ? 'valeur est' : 'valeurs sont'} encore « À compléter / TBD » dans le plan.`,
  night: {
    heading: 'Déroulé horodaté de la nuit de bascule',
    intro: (t0, day, rate) =>
      `Heures de Paris. T0 est le gel, à ${t0} le ${day} (${'`governance.freezeAt`'} dans le plan). Les durées prévues viennent ${rate} ; celle d’un hook est son délai maximal, une borne haute.`,
    rate: (perSecond, objects) => `du débit de copie mesuré (${perSecond}/s, ${objects} objets/s)`,
    noRate: 'du débit de copie mesuré, dès qu’une copie aura eu lieu',
    head: ['T', 'Heure', 'Étape', 'Responsable', 'Durée prévue', 'Fondée sur'],
    goNoGo: 'Réunion go/no-go',
    notBefore: (time) => `pas avant ${time}`,
    basis: {
      fixed: 'fixe',
      measured: 'débit de copie mesuré',
      listing: 'un listage de la source, 5 000 noms par page',
      'hook-timeout': 'délai maximal du hook (borne haute)',
      skipped: 'pas de hook : étape sautée',
      unknown: 'pas encore connue',
    },
    atMost: (len) => `au plus ${len}`,
    freeze: (len) => `**Gel** : aucune écriture à la source du gel à la fin de la bascule, ${len}.`,
    freezeUnknown: '**Gel** : sa durée sera connue une fois la phase listée et une copie mesurée.',
    downtime: (len) => `**Interruption** pour les lecteurs, pendant la bascule et le test de fumée : au plus ${len}.`,
    rollback: (deadline, len, how, back) =>
      `**Heure limite de retour arrière** : le ${deadline}, la validation prévue. Un retour arrière prend ${len} (${how}) : la source est de nouveau en service au plus tard le ${back}.`,
    rollbackTimed: 'chronométré lors d’une répétition, d’après le plan',
    rollbackBound: 'borne haute tirée des délais des hooks de dégel et de retour arrière',
    withActual: (clock, at) => `${clock} ; fait le ${at}`,
  },
  calendar: {
    heading: 'Calendrier jusqu’au décommissionnement',
    intro: (closes) =>
      `De la copie de masse au jour où la dernière copie à la source a disparu, au regard de la fenêtre d’autorisation, qui se ferme le ${closes}.`,
    head: ['Jalon', 'Date', 'Au regard de la fenêtre'],
    overviewHead: [
      'Phase',
      'Bascule et validation',
      'Fin de l’hypercare',
      'Dernière copie à la source supprimée',
      'Résidus conservés par le fournisseur jusqu’au',
      'Au regard de la fenêtre',
    ],
    bulk: 'Fin de la copie de masse',
    cutover: 'Bascule et validation',
    hypercareEnds: (days) => `Fin de l’hypercare (${days} après la validation)`,
    decommission: 'Décommissionnement de la source, après son propre go',
    gone: 'Dernière copie à la source supprimée',
    residues: 'Expiration des résidus chez le fournisseur (blobs supprimés récupérables, sauvegardes)',
    closes: 'Fermeture de la fenêtre d’autorisation',
    before: (days) => `${days} avant la fermeture`,
    after: (days) => `**${days} après la fermeture**`,
    sameDay: '**le jour de la fermeture**',
    planned: (date) => `${date}, prévu`,
    projected: (date) => `${date}, projeté`,
    done: (date) => `${date}, fait`,
    notYetKnown: 'pas encore connue',
  },
  contacts: {
    heading: 'Contacts et escalade',
    none: `Le plan ne liste aucun contact : ajoutez-les sous ${'`governance.people`'}.`,
    head: ['Nom', 'Rôle', 'Organisation', 'Téléphone', 'Courriel', 'D’astreinte'],
    escalationHeading: 'Matrice d’escalade',
    escalationIntro:
      'Un incident que la personne d’astreinte ne résout pas monte d’un niveau après le délai indiqué, compté depuis son début.',
    escalationNone: `Le plan n’a pas de matrice d’escalade : ajoutez-la sous ${'`governance.escalation`'}.`,
    escalationHead: ['Niveau', 'Appelé après', 'Qui', 'Téléphone', 'Décide ou fait'],
    afterMinutes: (minutes, len) => (minutes === 0 ? 'immédiatement' : len),
    vendorHeading: 'Support des fournisseurs',
    vendorNone: `Le plan ne nomme aucun support fournisseur : ajoutez Microsoft et OVHcloud sous ${'`governance.vendorSupport`'}.`,
    vendorHead: ['Fournisseur', 'Services', 'Contrat', 'Ouvrir un ticket', 'Sévérité'],
  },
  goNoGo: {
    heading: 'Critères métier du go/no-go',
    intro: (time) =>
      `Vérifiés à la réunion go/no-go (${time}), en plus des contrôles techniques de la liste, que cloudexit vérifie lui-même. Un critère non rempli vaut no-go.`,
    none: `Le plan n’a pas de critère métier : ajoutez-les sous ${'`governance.goNoGo`'}.`,
    item: (criterion, who) => `${criterion} (en répond : le ${who}).`,
  },
  acceptance: {
    heading: 'Recette utilisateurs',
    intro:
      'Après le test de fumée et avant la validation, les utilisateurs vérifient le nouvel hébergeur et signent. Sans leur signature, la validation n’est pas décidée.',
    none: `Le plan ne liste aucune vérification utilisateur : ajoutez-les sous ${'`governance.acceptance.checks`'}.`,
    signHead: ['Rôle', 'Organisation', 'Nom', 'Accepté (oui, non)', 'Date et heure (Paris)', 'Signature'],
  },
  hypercare: {
    heading: 'Hypercare',
    intro: (days) =>
      `Pendant ${days} après la validation, la source est conservée intacte, dernière voie de retour ; les contacts d’astreinte répondent et les incidents suivent la matrice d’escalade.`,
    ends: (commit, end) => `Validée le ${commit} : l’hypercare se termine le ${end}.`,
    planned: (end) => `Si la validation a lieu comme prévu, l’hypercare se termine le ${end}.`,
    exitIntro: 'Elle prend fin quand tous les critères de sortie sont remplis :',
    defaults: [
      'Aucun incident ouvert de sévérité 1 ou 2 sur le nouvel hébergeur',
      'Toutes les vérifications de la recette signées',
      'Une vérification complète de la phase sur le nouvel hébergeur après la validation, sans écart',
    ],
  },
  decommission: {
    heading: 'Décommissionnement de la source',
    intro: (from, command) =>
      `À partir du ${from}, après l’hypercare, sur son propre go (décideur et délégué à la protection des données), et jamais avant une vérification complète du nouvel hébergeur après la validation : ${command}. Chaque jeu de données reçoit un certificat de suppression dans le dossier des preuves, son SHA-256 dans le journal d’audit.`,
    head: [
      'Jeu de données',
      'Source',
      'Dernière copie à la source supprimée le',
      'Résidus conservés par le fournisseur jusqu’au',
      'Restant à la source',
      'Certificat de suppression',
    ],
    notYet: 'pas encore',
    noResidue: 'aucun',
    certificate: (path, sha) => `${path}, SHA-256 ${sha}`,
  },
  documentControl: {
    heading: 'Gestion du document',
    head: ['Champ', 'Valeur'],
    document: 'Document',
    title: (phase) => `Runbook de bascule, ${phase}`,
    version: 'Version',
    status: 'Statut',
    draft: 'Projet jusqu’à la signature des quatre responsables',
    author: 'Auteur',
    reviewers: 'Relecteurs',
    change: 'Référence de changement',
    classification: 'Classification',
    describes: 'Décrit',
    asOf: (at) => `l’état au ${at}`,
    planOnly: 'le plan seul, avant toute exécution',
    auditHead: 'Tête du journal d’audit',
    noAuditHead: 'aucune pour l’instant',
    generated: 'Écrit par',
    generator: (command) => `${command}, à partir du plan et de l’état ; ne pas modifier à la main`,
  },
  risks: {
    heading: 'Registre des risques',
    intro:
      'Les risques propres au plan (R), puis ceux que révèlent l’état (ceux que liste `cloudexit status`), le calendrier et les valeurs provisoires restées dans le plan (S).',
    head: ['ID', 'Risque', 'Probabilité', 'Impact', 'Responsable', 'Mesure d’atténuation', 'Origine'],
    level: { low: 'faible', medium: 'moyenne', high: 'élevée' },
    fromPlan: 'plan',
    fromState: 'état',
    fromCalendar: 'calendrier',
    none: 'Aucun dans le plan ni dans l’état.',
    rolledBack: (on, step) =>
      `La bascule a été annulée${on ? ` le ${on}` : ''}${step ? ` après l’échec de l’étape « ${step} »` : ''} : un nouveau go est nécessaire`,
    rolledBackMitigation: 'Trouver et corriger la cause, puis quatre nouveaux go et une nouvelle date',
    plannedPassed: (day) => `Prévue le ${day} et non validée`,
    plannedPassedMitigation: 'Fixer une nouvelle date dans la fenêtre et prévenir les utilisateurs',
    afterDeadline: (day, deadline) => `Fin de la copie de masse projetée le ${day}, après l’échéance du ${deadline}`,
    afterPlanned: (day, planned) =>
      `Fin de la copie de masse projetée le ${day}, après la bascule prévue le ${planned}`,
    slowMitigation: 'Ajouter des workers de copie ou de la bande passante, ou déplacer la bascule dans la fenêtre',
    decommissionLate: (day, closes) =>
      `Décommissionnement prévu à partir du ${day} : les données resteraient chez Azure après la fermeture de la fenêtre le ${closes}`,
    decommissionLateMitigation: 'Raccourcir l’hypercare ou avancer la bascule',
    placeholders: (count, n) =>
      `${n} ${count < 2 ? 'valeur' : 'valeurs'} du plan encore « À compléter / TBD » : contacts, contrats ou gestion du document`,
    placeholdersMitigation: 'Compléter la section governance du plan avant le go/no-go',
  },
  burndown: {
    heading: 'Reste à faire',
    intro:
      'Ce qui reste à transférer et à vérifier en entier à la fin de chaque jour, d’après les exécutions enregistrées, au regard des bascules prévues et de la fin de la fenêtre.',
    none: 'Tracé dès qu’une copie aura eu lieu.',
    head: ['Jour', 'Objets à transférer', 'Octets à transférer', 'Objets à vérifier', 'Octets à vérifier'],
    toMove: 'à transférer',
    toVerify: 'à vérifier en entier',
    bytesTitle: 'Octets restant à transférer et à vérifier',
    objectsTitle: 'Objets restant à transférer et à vérifier',
    cutover: (id) => `Phase ${id}`,
    closes: 'Fermeture de la fenêtre',
  },
  glossary: {
    heading: 'Glossaire',
    head: ['Terme', 'Signification'],
    terms: [
      [
        'SHA-256',
        'Une empreinte des octets d’un fichier : un seul octet modifié donne une autre empreinte. Celle de chaque objet est calculée pendant la copie et comparée ensuite.',
      ],
      [
        'ETag',
        'L’étiquette qu’un service de stockage donne à un objet stocké ; pour un envoi simple, le MD5 de ses octets. Contrôlé par la vérification rapide.',
      ],
      [
        'Manifeste',
        'La liste de tous les objets avec leur SHA-256, au format que lit `sha256sum -c` ; la preuve d’un jeu de données.',
      ],
      [
        'Gel',
        'Le moment à partir duquel personne ne peut plus écrire à la source, pour que la copie finale ne manque rien.',
      ],
      [
        'Interruption',
        'Le temps pendant lequel les lecteurs attendent d’être basculés vers le nouvel hébergeur et qu’il soit contrôlé.',
      ],
      ['T0, T−60 min', 'Le gel, et les heures comptées à partir de lui.'],
      ['Go/no-go', 'La réunion et le contrôle où les responsables décident si la bascule a lieu.'],
      [
        'Point de non-retour',
        'La validation : ensuite, le nouvel hébergeur est la copie de référence et le retour arrière est refusé.',
      ],
      [
        'Retour arrière',
        'Le retour à la source avant la validation : les écritures y sont de nouveau permises, les lecteurs y sont renvoyés.',
      ],
      [
        'Recette utilisateurs',
        'La vérification par les utilisateurs que le nouvel hébergeur leur convient, signée avant la validation.',
      ],
      ['Hypercare', 'Les jours qui suivent la validation, où la source est conservée et l’équipe surveille de près.'],
      [
        'Décommissionnement',
        'La suppression de la source une fois l’hypercare terminée, avec un certificat de suppression par jeu de données.',
      ],
      [
        'Résidus',
        'Ce que le fournisseur garde après une suppression (blobs supprimés récupérables, sauvegardes) jusqu’à une date connue.',
      ],
      [
        'Tête du journal d’audit',
        'L’empreinte du dernier événement du journal d’audit chaîné ; notée à chaque signature.',
      ],
    ],
  },
  headings: {
    contents: 'Sommaire',
  },
};
