"""Word lists for the demo commune: French names (with their accents), streets, quartiers."""

from __future__ import annotations

FEMALE_FIRST = [
    "Hélène",
    "Françoise",
    "Geneviève",
    "Thérèse",
    "Agnès",
    "Cécile",
    "Renée",
    "Andrée",
    "Jeanne",
    "Marie",
    "Monique",
    "Jacqueline",
    "Simone",
    "Odette",
    "Paulette",
    "Yvette",
    "Ginette",
    "Colette",
    "Josiane",
    "Michèle",
    "Danièle",
    "Bénédicte",
    "Aurélie",
    "Chloé",
    "Zoé",
    "Anaïs",
    "Maëlle",
    "Léa",
    "Inès",
    "Noémie",
    "Élise",
    "Éliane",
    "Solène",
    "Gaëlle",
    "Brigitte",
    "Christiane",
    "Nicole",
    "Suzanne",
    "Madeleine",
    "Lucienne",
    "Germaine",
    "Raymonde",
    "Huguette",
    "Fatima",
    "Aïcha",
    "Nadia",
    "Yasmina",
    "Mélanie",
    "Sandrine",
    "Véronique",
    "Sylvie",
    "Nathalie",
    "Isabelle",
]
MALE_FIRST = [
    "Jérôme",
    "Frédéric",
    "Grégoire",
    "Clément",
    "Émile",
    "Éric",
    "Noël",
    "Gaël",
    "Léon",
    "André",
    "René",
    "Raymond",
    "Marcel",
    "Roger",
    "Henri",
    "Jacques",
    "Pierre",
    "Jean",
    "Michel",
    "Bernard",
    "Gérard",
    "Claude",
    "Daniel",
    "Lucien",
    "Maurice",
    "Robert",
    "Georges",
    "Louis",
    "Joseph",
    "François",
    "Hervé",
    "Thierry",
    "Stéphane",
    "Sébastien",
    "Benoît",
    "Jérémie",
    "Théo",
    "Mathéo",
    "Loïc",
    "Anthony",
    "Karim",
    "Mohamed",
    "Rachid",
    "Youssef",
    "Mehdi",
    "Olivier",
    "Patrick",
    "Alain",
]
LAST = (
    (
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
        "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André "
        "Lefebvre Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure "
        "Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément "
        "Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Gérard Nguyễn Boyer "
        "Denis Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer Lucas Meunier Jean Pérez "
        "Marchand Dufour Blanchard Marie Barbier Brun Dumas Brunet Schmitt Leroux Colin "
        "Fernandez Pierre Renard Arnaud Rolland Caron Aubert Giraud Leclerc Vidal Bourgeois "
        "Renaud Lemoine Picard Gaillard Philippe Leclercq Lacroix Fabre Dupuis Olivier "
        "Rodriguez Da_Silva Hubert Louis Charles Guillot Rivière Le_Goff Le_Gall Ménard "
        "Hébert Régnier Séguin Béranger Lemaître Benali Haddad Öztürk Schäfer N'Diaye "
        "D'Almeida Cœurdevey Jégou Prévost Lécuyer Bérard Cordier Tessier Lebrun Poirier "
        "Collet Huet Carré Besnard Deschamps Hamon Leblanc Tran Pham Diallo Traoré Kowalski"
    )
    .split()
)
LAST = tuple(name.replace("_", " ") for name in LAST)
STREETS = (
    "rue Solférino",
    "rue de Paris",
    "rue Saint-Lazare",
    "avenue Thiers",
    "rue des Domeliers",
    "rue de Pierrefonds",
    "rue d'Austerlitz",
    "boulevard Victor-Hugo",
    "rue Jeanne-d'Arc",
    "rue Magenta",
    "cours Guynemer",
    "rue de l'Étoile",
    "place de l'Hôtel-de-Ville",
    "rue Saint-Corneille",
    "rue des Lombards",
    "avenue de la Résistance",
    "rue Hippolyte-Bottier",
    "rue du Général-Leclerc",
    "rue de Clamart",
    "rue Carnot",
    "avenue Marcel-Dassault",
    "rue de Soissons",
    "rue des Capucins",
    "rue Notre-Dame-de-Bon-Secours",
    "allée des Tilleuls",
    "impasse des Glycines",
    "chemin du Moulin",
    "rue Pasteur",
    "rue Émile-Zola",
    "square Frédéric-Chopin",
)
QUARTIERS = (
    "Centre-ville",
    "Royallieu",
    "Clos des Roses",
    "Bellicart",
    "Saint-Lazare",
    "Vivier-Corax",
    "Les Avenues",
    "Port-à-Carreaux",
)
ACCESS_NOTES = (
    "Sonner deux fois, la personne entend mal.",
    "Code portail 1942B, 2e étage sans ascenseur.",
    "Clé chez la voisine du rez-de-chaussée (Mme Roussel).",
    "Chien gentil mais bruyant ; frapper fort.",
    "Entrée par la cour, porte verte au fond.",
    "Appeler avant de venir : ne répond pas à l'interphone.",
)
PREFERENCES = (
    "Aime parler jardinage et écouter de l'accordéon.",
    "Préfère les visites le matin.",
    "Ancienne institutrice, aime qu'on lui lise le journal.",
    "Malentendant·e : parler lentement, face à la personne.",
    "Aime les jeux de cartes (belote).",
)
CARE_SERVICES = ("ADMR Compiègne", "SSIAD du Compiégnois", "Aide à domicile Oise Services", "")
PARTNERS = (
    ("Les Petits Frères des Pauvres — Compiègne", "association"),
    ("Secours populaire, comité de Compiègne", "association"),
    ("Club des aînés de Royallieu", "association"),
    ("Croix-Rouge française, unité locale", "association"),
)
NOTES = (
    "Demande faite par sa fille qui habite Lyon.",
    "Se sent seule depuis le décès de son mari.",
    "Sortie d'hospitalisation la semaine dernière.",
    "Voudrait apprendre à appeler ses petits-enfants en vidéo.",
    "Doit renvoyer un dossier APA avant la fin du mois.",
    "",
    "",
)
OUTCOMES = (
    "Très bon moment, la personne attend la prochaine visite.",
    "Courses faites, ticket remis.",
    "Discussion autour de photos de famille.",
    "Dossier complété et posté.",
    "A réussi son premier appel vidéo.",
)
