"""Phrase banks for the demo corpus.

Templates use str.format slots: {b} and {b2} are brand surface forms, the
others ({city}, {price}, {speed}, ...) are filled from the pools below.  Banks
are split by tone so the generator can shape sentiment curves on purpose
(outage = negative burst, launch = positive burst) instead of by accident.

Rule for anyone editing: a template must never spell a brand name literally;
brands only enter through {b}/{b2}, otherwise the ground-truth counts in
DemoSummary would drift away from what a matcher finds in the text.
"""

CITIES = [
    "Montréal", "Québec", "Laval", "Gatineau", "Longueuil", "Sherbrooke",
    "Trois-Rivières", "Saguenay", "Lévis", "Terrebonne", "Saint-Jérôme",
    "Drummondville", "Granby", "Rimouski", "Rouyn-Noranda", "Victoriaville",
    "Saint-Hyacinthe", "Joliette", "Magog", "Sept-Îles", "Boucherville",
    "Brossard", "Repentigny", "Blainville", "Shawinigan",
]
NEIGHBOURHOODS = [
    "le Plateau", "Rosemont", "Limoilou", "Saint-Roch", "Verdun", "Hochelaga",
    "Villeray", "Saint-Sauveur", "Fleurimont", "Chomedey", "Vieux-Longueuil",
    "Charlesbourg", "Ahuntsic", "NDG", "le Vieux-Hull",
]
SPEEDS = ["120", "250", "400", "500", "940", "1000", "1500", "3000"]
PRICES = ["35", "40", "45", "50", "55", "60", "65", "70", "75", "85", "95", "110"]
DATA_GB = ["20", "40", "60", "75", "100", "150"]
HOURS = ["2", "3", "4", "6", "8", "11", "14"]
MINUTES = ["25", "40", "45", "55", "70", "90"]
THOUSANDS = ["12", "18", "25", "31", "40", "52", "67"]
PERCENT = ["3", "4", "5", "7", "8", "10", "12"]
SPOKES = [
    "Julie Tremblay", "Marc-André Gagnon", "Sophie Bélanger", "Karim Haddad",
    "Isabelle Côté", "François Lavoie", "Nadia Bouchard", "Éric Pelletier",
]
ROLES = ["porte-parole", "vice-présidente marketing", "directeur des communications",
         "vice-président réseau", "cheffe des opérations"]
EMOJIS_POS = ["👍", "🙂", "😄", "🚀", "👌", "🎉", "💯"]
EMOJIS_NEG = ["😡", "🙄", "😤", "🤬", "😩", "👎", "💩"]
EMOJIS_NEU = ["🤔", "🤷", "😅", "📶", "📱"]

# ---------------------------------------------------------------------------
# News.  Each entry: (title, lede).  Ledes may carry a little HTML.
# ---------------------------------------------------------------------------
NEWS_FR = {
    "network_pos": [
        ("{b} étend son réseau de fibre à {city}",
         "Le fournisseur promet des vitesses de <strong>{speed} Mbit/s</strong> à quelque {thousands} 000 foyers d'ici la fin de l'année."),
        ("5G : {b} arrive à {city}",
         "Les abonnés de {b} à {city} auront accès au réseau 5G dès la semaine prochaine, selon l'entreprise."),
        ("{b} investit dans le réseau en région",
         "<p>{b} annonce de nouvelles tours cellulaires entre {city} et {city2}, une demande de longue date des élus locaux.</p>"),
        ("Internet haute vitesse : {b} branche {thousands} 000 foyers ruraux",
         "Le projet, financé en partie par Québec, vise les secteurs mal desservis autour de {city}."),
    ],
    "price_down": [
        ("{b} baisse le prix de son forfait illimité",
         "Le forfait passe à <strong>{price} $</strong> par mois, une réponse directe à la concurrence."),
        ("Guerre de prix : {b} frappe fort avec un forfait à {price} $",
         "<p>Le forfait inclut {gb} Go de données et les appels illimités au Canada.</p>"),
        ("Rentrée : {b} offre un rabais aux étudiants",
         "Les étudiants de cégep et d'université pourront économiser jusqu'à {percent} % sur leur forfait."),
    ],
    "price_up": [
        ("{b} augmente ses tarifs Internet de {price2} $",
         "Plusieurs abonnés dénoncent une hausse annoncée par simple courriel. L'entreprise invoque « l'inflation »."),
        ("Hausse de tarifs chez {b} : les consommateurs grincent des dents",
         "<p>L'augmentation de {percent} % touchera les forfaits Internet et télé dès le mois prochain.</p>"),
        ("{b} impose de nouveaux frais d'activation",
         "Des frais de {price2} $ s'appliquent désormais à toute nouvelle ligne, au grand dam des associations de consommateurs."),
    ],
    "results": [
        ("{b} ajoute {thousands} 000 abonnés au trimestre",
         "Les revenus de {b} progressent de {percent} %, portés par le sans-fil."),
        ("Résultats trimestriels : {b} dépasse les attentes",
         "<p>La croissance du nombre d'abonnés Internet compense le recul de la télé traditionnelle.</p>"),
        ("{b} supprime des postes au service à la clientèle",
         "L'entreprise confirme une restructuration qui touchera {thousands}0 employés à {city}."),
    ],
    "complaints": [
        ("Plaintes en télécoms : {b} en tête du palmarès",
         "Selon le rapport annuel de la commission des plaintes, {b} cumule le plus grand nombre de dossiers ouverts."),
        ("Facturation : des clients de {b} dénoncent des frais cachés",
         "<p>Plusieurs lecteurs nous ont écrit après avoir reçu une facture gonflée de {price2} $.</p>"),
        ("Service client : attente de {minutes} minutes chez {b}",
         "Notre test du service à la clientèle de {b} révèle des délais d'attente importants."),
    ],
    "product": [
        ("{b} lance une nouvelle offre de télé en continu",
         "L'application permet de regarder une soixantaine de chaînes sur tous les écrans."),
        ("{b} mise sur l'eSIM pour séduire les jeunes",
         "<p>L'activation se fait entièrement en ligne, en moins de dix minutes selon l'entreprise.</p>"),
        ("Nouveau modem Wi-Fi 7 chez {b}",
         "Le modem sera offert sans frais aux abonnés des forfaits de {speed} Mbit/s et plus."),
        ("{b} améliore son application mobile",
         "La nouvelle version permet de suivre sa consommation de données en temps réel."),
    ],
    "compare": [
        ("{b} et {b2} se livrent une guerre de prix",
         "<p>Les deux fournisseurs ont annoncé des forfaits à moins de {price} $ en l'espace d'une semaine.</p>"),
        ("Fibre : {b2} répond à l'offensive de {b}",
         "Quelques jours après l'annonce de {b}, {b2} baisse à son tour ses tarifs à {city}."),
        ("Comparatif : {b} ou {b2} pour Internet à {city}?",
         "Nous avons testé les deux services pendant un mois. Voici nos constats."),
        ("Portabilité : les clients quittent {b2} pour {b}",
         "Selon une firme d'analyse, {b} aurait gagné des parts de marché au détriment de {b2}."),
    ],
    "general": [
        ("Le CRTC ouvre une consultation sur les tarifs d'Internet",
         "L'organisme fédéral veut entendre les consommateurs sur l'abordabilité des services."),
        ("Les Québécois paient toujours plus cher pour leur cellulaire",
         "<p>Une étude comparative place le Canada parmi les pays les plus chers de l'OCDE.</p>"),
        ("Cybersécurité : hausse des fraudes par texto",
         "Les fraudeurs se font passer pour des fournisseurs de télécoms pour soutirer des renseignements."),
        ("Télétravail : la qualité de l'Internet en région reste inégale",
         "À {city}, plusieurs travailleurs autonomes disent devoir se rendre au café pour une connexion fiable."),
        ("Fin du réseau 3G : ce que les consommateurs doivent savoir",
         "Les vieux téléphones cesseront de fonctionner au cours des prochains mois."),
        ("Semaine du numérique à {city}",
         "<p>Conférences, ateliers et démonstrations pour le grand public toute la semaine.</p>"),
        ("Combien de données consommez-vous vraiment?",
         "Un ménage moyen utilise désormais plus de 400 Go par mois, selon une étude."),
        ("Ottawa promet Internet haute vitesse partout d'ici 2030",
         "Le gouvernement fédéral réitère son engagement malgré les retards."),
    ],
    "outage": [
        ("Panne majeure chez {b} : des milliers de clients privés de service",
         "<p>Les services cellulaire et Internet de {b} sont interrompus depuis le début de la matinée partout au Québec.</p>"),
        ("{b} encore en panne, les clients exaspérés",
         "Le service client de {b} est injoignable et l'entreprise ne donne aucun échéancier."),
        ("Panne de {b} : les commerces ne peuvent plus accepter les cartes",
         "Des terminaux de paiement reliés au réseau de {b} sont hors service à {city} et ailleurs."),
        ("Panne chez {b} : le CRTC demande des explications",
         "<p>L'organisme exige un rapport détaillé sur la panne qui a duré plus de {hours} heures.</p>"),
        ("Le 911 inaccessible pour certains clients de {b} pendant la panne",
         "La sécurité civile recommande d'utiliser une ligne fixe ou le téléphone d'un voisin."),
    ],
    "restored": [
        ("{b} : le service rétabli après {hours} heures de panne",
         "L'entreprise évoque une « mise à jour logicielle défaillante » et promet un crédit à ses clients."),
        ("Après la panne, {b} offre un crédit de {price2} $ à ses abonnés",
         "<p>Plusieurs clients jugent le geste insuffisant et songent à changer de fournisseur.</p>"),
        ("Panne de {b} : les clients songent à partir",
         "Les concurrents rapportent un nombre inhabituel de demandes de portabilité."),
    ],
    "launch": [
        ("{b} lance {product}, jusqu'à 3 Gbit/s",
         "<p>La nouvelle offre de {b} est disponible dès aujourd'hui à <strong>{price} $</strong> par mois à {city} et dans la grande région.</p>"),
        ("{product} : {b} frappe un grand coup",
         "Les premiers tests montrent des vitesses impressionnantes et un prix agressif."),
        ("Les abonnés saluent le lancement de {product} par {b}",
         "<p>Sur les réseaux sociaux, les premiers clients se disent emballés par la nouvelle offre.</p>"),
        ("{b} : un lancement réussi pour {product}",
         "L'entreprise affirme avoir enregistré un nombre record d'inscriptions en 48 heures."),
    ],
}

NEWS_EN = {
    "network_pos": [
        ("{b} expands fibre network to {city}",
         "The provider promises speeds of up to {speed} Mbps for about {thousands},000 homes."),
        ("{b} brings 5G to {city}",
         "<p>Customers in {city} will get access to the 5G network next week, the company said.</p>"),
    ],
    "price_down": [
        ("{b} cuts price of unlimited plan to ${price}",
         "The move is seen as a direct response to competitors' recent promotions."),
    ],
    "price_up": [
        ("{b} raises internet prices by ${price2}",
         "<p>Customers say they were notified by a short email. The company cites inflation.</p>"),
    ],
    "results": [
        ("{b} adds {thousands},000 subscribers in the quarter",
         "Wireless revenue grew {percent} per cent, beating analyst expectations."),
    ],
    "complaints": [
        ("{b} tops telecom complaints report",
         "The annual report shows {b} with the highest number of accepted complaints."),
        ("Hidden fees: {b} customers push back",
         "<p>Readers say their bills went up by ${price2} without warning.</p>"),
    ],
    "product": [
        ("{b} launches new streaming TV app",
         "About sixty channels are available on phones, tablets and smart TVs."),
        ("{b} bets on eSIM to win younger customers",
         "Activation is done entirely online in under ten minutes, the company says."),
    ],
    "compare": [
        ("{b} and {b2} in all-out price war",
         "<p>Both carriers announced plans under ${price} within a week.</p>"),
        ("{b} or {b2}? We tested internet in {city}",
         "After a month with both services, here is what we found."),
    ],
    "general": [
        ("CRTC launches consultation on internet prices",
         "The regulator wants to hear from consumers about affordability."),
        ("Quebecers still pay more for cellphone plans",
         "<p>A new study ranks Canada among the most expensive OECD countries.</p>"),
        ("Text message scams on the rise, police warn",
         "Fraudsters pose as telecom providers to steal personal information."),
        ("Rural internet still lags in Quebec regions",
         "Remote workers in the regions say connections remain unreliable."),
    ],
    "outage": [
        ("{b} outage leaves thousands without service",
         "<p>Wireless and internet services have been down since early morning across Quebec.</p>"),
        ("{b} still down, customer service unreachable",
         "Customers report waiting hours on hold as the outage drags on."),
        ("Businesses unable to take card payments during {b} outage",
         "Payment terminals on the {b} network were offline in {city} and elsewhere."),
    ],
    "restored": [
        ("{b} restores service after {hours}-hour outage",
         "The company blamed a faulty software update and promised a credit."),
    ],
    "launch": [
        ("{b} launches {product} with speeds up to 3 Gbps",
         "<p>The new offer is available today for ${price} a month in {city} and surrounding areas.</p>"),
        ("Early reviews of {product} from {b} are glowing",
         "First testers report impressive speeds and an aggressive price."),
    ],
}

# Wire stories (Presse Canadienne-like agency).  Republished by several outlets
# with slightly different titles so near-duplicate detection has real work.
WIRE_AGENCY = "Agence Presse Laurentienne"
WIRE_STORIES = [
    ("general", "Le CRTC impose de nouvelles règles de transparence aux fournisseurs",
     "Les fournisseurs devront afficher clairement le prix total de leurs forfaits, frais inclus, a annoncé l'organisme mardi."),
    ("general", "Télécoms : Québec réclame plus de concurrence en région",
     "Le ministre responsable estime que les consommateurs des régions paient trop cher pour des services de moindre qualité."),
    ("results", "{b} annonce un bénéfice en hausse au troisième trimestre",
     "Le fournisseur a profité d'une forte croissance de ses abonnements sans fil, selon les résultats publiés jeudi."),
    ("compare", "{b} et {b2} s'affrontent devant le CRTC",
     "Les deux entreprises ne s'entendent pas sur les tarifs de gros pour l'accès aux réseaux de fibre."),
    ("network_pos", "{b} promet la fibre à 50 000 foyers de plus",
     "L'investissement de plusieurs dizaines de millions de dollars vise surtout les couronnes nord et sud de Montréal."),
    ("general", "Fraude par texto : les corps policiers lancent une campagne",
     "Les citoyens sont invités à ne jamais cliquer sur un lien reçu par texto au nom d'un fournisseur."),
    ("outage", "Panne chez {b} : des centaines de milliers d'abonnés touchés",
     "Une panne a privé de service cellulaire et Internet une grande partie des clients de {b} au Québec et en Ontario."),
    ("restored", "{b} s'excuse et promet un crédit après la panne",
     "Le président de {b} a présenté ses excuses et promis un crédit équivalent à cinq jours de service."),
    ("launch", "{b} lance {product}, une offre Internet à 3 Gbit/s",
     "Le fournisseur québécois affirme que sa nouvelle offre est la plus rapide offerte au grand public dans la province."),
]

# Items that contain a brand's *exclusion* phrase and nothing else brand-like:
# a matcher that honours exclusions must count none of them.
DECOYS_FR = {
    "Nordik": [
        ("Spa Nordik : un nouveau circuit de bains pour l'hiver",
         "Le centre de détente de Chelsea ajoute un bain finlandais et une salle de relaxation."),
        ("Escapade bien-être : on a testé le Spa Nordik",
         "<p>Sauna, bains froids et silence : notre journaliste raconte sa journée au Spa Nordik.</p>"),
        ("Le Spa Nordik agrandit son stationnement",
         "Les visiteurs pourront réserver leur place en ligne dès le printemps."),
    ],
    "Borealis Mobile": [
        ("Le restaurant Borealis Bistro ouvre une deuxième adresse",
         "Le chef mise sur les produits boréaux et le gibier du Nord."),
    ],
    "Cité Télécom": [
        ("Amphithéâtre Cité Télécom : la programmation d'automne dévoilée",
         "<p>Une vingtaine de spectacles sont prévus à l'Amphithéâtre Cité Télécom, dont plusieurs complets.</p>"),
        ("Concert complet à l'Amphithéâtre Cité Télécom",
         "Les billets se sont envolés en quelques minutes samedi matin."),
    ],
    "Fluxo": [
        ("Le Studio Fluxo Yoga ouvre ses portes à Limoilou",
         "Le studio propose des cours de yoga chaud et de méditation en français et en anglais."),
    ],
    "Maple Fibre": [
        ("Salon des métiers d'art : Maple Fibre Textiles remporte un prix",
         "<p>L'atelier de tissage de Magog est récompensé pour ses couvertures en laine locale.</p>"),
    ],
}
DECOYS_EN = {
    "Borealis Mobile": [
        ("Aurora borealis could light up Montreal skies tonight",
         "A strong geomagnetic storm may make the aurora borealis visible far south of its usual range."),
        ("Photographers chase the aurora borealis in the Laurentians",
         "<p>Clear skies and solar activity made for a spectacular night.</p>"),
    ],
    "Nordik": [
        ("Weekend getaway: Spa Nordik adds a new Finnish sauna",
         "The Chelsea spa says the expansion is its biggest in a decade."),
    ],
}

# Fine-grained wording for the "article page" body paragraphs.
BODY_QUOTES_FR = [
    "« Nous voulons offrir la meilleure expérience à nos clients », a déclaré {spoke}, {role} chez {b}.",
    "« C'est une étape importante pour nous », affirme {spoke}, {role} de {b}.",
    "Joint par notre équipe, {b} n'a pas souhaité commenter davantage.",
    "{b} affirme que la situation sera réglée « dans les meilleurs délais ».",
]
BODY_FILLER_FR = [
    "Selon les analystes, le marché québécois reste l'un des plus concurrentiels au pays.",
    "Les associations de consommateurs rappellent qu'il est possible de négocier son forfait.",
    "La concurrence s'est intensifiée depuis l'arrivée de nouveaux joueurs régionaux.",
    "Les détails complets sont disponibles sur le site du fournisseur.",
    "Le marché du sans-fil a connu une croissance soutenue au cours de la dernière année.",
]
BODY_QUOTES_EN = [
    "\u201cWe want to offer our customers the best experience,\u201d said {spoke}, spokesperson for {b}.",
    "{b} declined to comment further.",
]
BODY_FILLER_EN = [
    "Analysts say the Quebec market remains one of the most competitive in the country.",
    "Consumer groups remind customers that plans can be negotiated.",
]

# ---------------------------------------------------------------------------
# Forum.  Each bank is a list of sentences; posts are stitched together from an
# optional opener, one core sentence and optional extras.
# ---------------------------------------------------------------------------
OPENERS_FR = [
    "Salut!", "Allo tout le monde.", "Bonjour,", "Perso,", "Honnêtement,",
    "Bonne question.", "Moi aussi je me posais la question.", "Bof.", "Ouin…",
    "Merci pour le partage.", "Pour avoir essayé,", "Bon ben,",
]
# Openers ending with "," must be followed by a lower-case core sentence.

CORE_POS_FR = [
    "{b} c'est pas pire pantoute, aucune coupure depuis que je suis avec eux.",
    "Je suis passé chez {b} le mois passé, aucun regret {emoji}",
    "Installé hier par {b}, le technicien était super gentil et rapide.",
    "J'ai {speed} Mbit/s en speedtest avec {b}, même le soir.",
    "Le service client de {b} m'a réglé ça en 5 minutes, j'étais surpris.",
    "Honnêtement {b} m'a fait un bon prix quand j'ai appelé pour annuler.",
    "Ça fait 3 ans que j'ai {b} et franchement ça fait la job, rien à redire.",
    "Bon deal chez {b} : {gb} Go pour {price} $, je recommande.",
    "Chez {b} à {city} c'est stable, même pendant les tempêtes.",
    "Je suis vraiment content de {b}, le wifi se rend jusqu'au sous-sol {emoji}",
]
CORE_NEG_FR = [
    "{b} ça fait dur, encore une coupure ce matin.",
    "Ils m'ont fait niaiser {minutes} minutes au téléphone chez {b} pour rien.",
    "Service client de {b} injoignable, je suis en beau fusil {emoji}",
    "{b} m'a chargé {price2} $ de frais que personne peut m'expliquer.",
    "Le modem de {b} redémarre tout seul trois fois par jour, c'est n'importe quoi.",
    "J'ai quitté {b}, trop de pannes à {city}.",
    "Les vitesses de {b} le soir sont ridicules, {speed_low} Mbit/s au lieu de {speed}.",
    "{b} a encore augmenté ma facture sans prévenir {emoji}",
    "Chez {b} ils m'ont promis un technicien mardi, personne est venu.",
    "Je regrette d'être passé chez {b}, c'est vraiment pas fort.",
]
CORE_NEU_FR = [
    "J'ai {b} depuis 2 ans, ça dépend vraiment du secteur.",
    "{b} offre quelque chose de similaire, faut voir la couverture chez vous.",
    "Tu peux regarder sur le site de {b}, il y a une carte de couverture.",
    "Mon frère est chez {b} à {city}, il m'a jamais parlé de problème.",
    "Il me semble que {b} a une promo en ce moment, à vérifier.",
    "{b} a changé ses forfaits le mois passé, les prix sont sur leur site.",
    "Chez {b} il faut appeler le service de rétention pour avoir le bon prix.",
    "Je pense que {b} utilise le même réseau que les autres en région.",
]
CORE_Q_FR = [
    "Quelqu'un sait si {b} offre la fibre à {city}?",
    "Comment changer de forfait chez {b} sans payer de frais?",
    "Est-ce que {b} fonctionne bien à {city}? Je déménage en juillet.",
    "Est-ce que ça vaut la peine de passer chez {b}?",
    "Vous payez combien chez {b} pour Internet {speed}?",
    "C'est quoi le délai d'installation chez {b} en ce moment?",
    "{b} charge-t-il encore des frais d'activation?",
]
CORE_CMP_FR = [
    ("J'ai quitté {b2} pour {b} l'an passé, aucun regret.", "pos"),
    ("{b} est moins cher que {b2} mais le service est pas pareil.", "neu"),
    ("Entre {b} et {b2}, c'est du pareil au même à {city}.", "neu"),
    ("{b2} m'a fait niaiser, je suis rendu chez {b} et c'est le jour et la nuit.", "pos"),
    ("Franchement {b} et {b2}, c'est deux fois la même arnaque {emoji}", "neg"),
    ("J'hésite entre {b} et {b2} pour la fibre, des conseils?", "neu"),
    ("{b} a matché le prix de {b2} quand j'ai appelé.", "pos"),
]
CORE_OUTAGE_FR = [
    "{b} en panne chez vous aussi?",
    "Encore en panne ici à {city}, plus rien ne marche avec {b}.",
    "Service client de {b} injoignable, la ligne raccroche toute seule.",
    "Ça fait {hours} heures que {b} est en panne, c'est inacceptable {emoji}",
    "Pas de réseau {b} à {city} depuis ce matin, même pas le 911.",
    "{b} encore en panne… Je change de fournisseur dès que ça revient.",
    "Mon terminal de paiement roule sur {b}, je perds des ventes toute la journée.",
    "Quelqu'un a des nouvelles de {b}? Leur site est down aussi.",
]
CORE_LAUNCH_FR = [
    "Le nouveau {product} de {b} a l'air vraiment intéressant.",
    "J'ai pris le {product} chez {b}, {speed} Mbit/s en speedtest {emoji}",
    "{b} a frappé fort avec {product}, les autres vont devoir suivre.",
    "Installation de {product} faite ce matin, {b} était à l'heure {emoji}",
    "Le prix de {product} chez {b} est vraiment correct pour ce que c'est.",
]
# No-brand material: replies that name nobody, so "normalized attention" has a
# real denominator.
NOBRAND_FR = [
    "Même chose ici.", "+1", "Merci pour l'info!", "Bonne chance avec ça 🤞",
    "Ça dépend vraiment de ton secteur.", "Faut négocier, c'est la seule façon d'avoir un bon prix.",
    "Mon beau-frère a eu la même affaire.", "Attends le Vendredi fou, y'a toujours des spéciaux.",
    "Lâche pas!", "Le speedtest donne environ {speed} Mbit/s le soir chez nous.",
    "C'est pas pire comme prix.", "Ouin, ça fait dur.", "Quelqu'un a une idée?",
    "J'ai appelé trois fois avant d'avoir quelqu'un.", "À {city} c'est pas mal stable.",
    "Tiens-nous au courant!", "Je me demandais la même chose.",
    "Essaie de redémarrer le modem, des fois c'est juste ça.",
    "Comment changer de forfait sans frais? Quelqu'un a réussi?",
    "Regardez la section des forfaits prépayés, c'est souvent moins cher.",
    "Les prix au Québec restent trop élevés, peu importe le fournisseur.",
]
EXTRAS_FR = [
    "Le modem est correct, sans plus.", "En tout cas, moi je négocie chaque année.",
    "Je suis à {city}, pas loin du centre-ville.", "Chez nous dans {hood}, ça va mieux depuis l'été.", "On verra bien.", "Bonne journée!",
    "Merci d'avance!", "C'est rendu cher en titi.", "Faut pas se laisser niaiser.",
    "Je vais appeler demain pour voir.", "J'ai fait trois speedtests pour être sûr.",
]
CORE_POS_EN = [
    "Switched to {b} last month, no complaints so far {emoji}",
    "{b} has been rock solid for me in {city}.",
    "Got a great retention deal from {b}, just call and ask.",
]
CORE_NEG_EN = [
    "{b} customer service is a joke, {minutes} minutes on hold.",
    "My {b} bill went up again without any notice.",
    "Constant drops with {b} in {city}, thinking of switching.",
]
CORE_NEU_EN = [
    "Anyone else having issues with {b} in {city}?",
    "I've been with {b} for two years, it really depends on the area.",
    "Does {b} still charge activation fees?",
]
CORE_OUTAGE_EN = [
    "Is {b} down for everyone? Nothing works here in {city}.",
    "{b} still down, can't even reach support.",
]
NOBRAND_EN = [
    "Same here.", "Thanks for the info!", "Good luck with that.",
    "It really depends on your neighbourhood.", "Prices in Quebec are just too high.",
]
# Off-topic chatter carrying exclusion phrases only.
OFFTOPIC_DECOYS_FR = [
    "Je reviens du Spa Nordik, rien à voir avec le cell mais wow, je recommande.",
    "On a vu le show à l'Amphithéâtre Cité Télécom samedi, malade!",
    "Ma blonde va au Studio Fluxo Yoga le jeudi, elle adore.",
    "Quelqu'un a vu l'aurora borealis hier soir? Photos incroyables.",
    "Le Spa Nordik en hiver, c'est vraiment magique.",
    "J'ai acheté une couverture chez Maple Fibre Textiles à Magog, super qualité.",
]
OFFTOPIC_FR = [
    "Belle fin de semaine à la cabane à sucre.", "Quelqu'un a des suggestions de restos à {city}?",
    "Il a neigé encore, je suis tanné de l'hiver.", "On est allés aux pommes, c'était l'fun.",
    "Des recommandations de séries à écouter?",
]

# Second sentence of a topic's first post (the first is the topic title).
FIRST_FOLLOWUPS = {
    "question": ["Je déménage bientôt et j'aimerais avoir vos avis.", "Merci d'avance pour vos réponses!",
                 "J'ai fait le tour des sites mais c'est pas clair.", "Any tips welcome, merci!",
                 "Je veux pas me faire niaiser avec des frais cachés."],
    "complaint": ["Ça fait trois fois ce mois-ci, je suis à bout.", "J'ai appelé deux fois, aucune solution.",
                  "Quelqu'un a vécu la même chose?"],
    "praise": ["Je partage parce que c'est rare que je sois content d'un fournisseur 🙂",
               "Franchement, c'est pas pire pantoute."],
    "launch": ["Ils l'ont annoncé ce matin, quelqu'un l'a déjà pris?", "Le prix a l'air bon, vos impressions?"],
    "compare": ["Je veux changer, mais j'hésite.", "Vos expériences?"],
    "general": ["Postez vos résultats de speedtest ici.", "Vos résultats?"],
    "outage": ["Plus rien ne marche depuis ce matin, ni cell ni Internet.",
               "Pas de réseau du tout ici, quelqu'un d'autre?"],
    "offtopic": ["On jase de tout sauf de forfaits ici 😄", "Partagez vos bons plans!"],
}
