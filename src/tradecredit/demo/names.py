"""Company names built from word lists: a family or place name, a trade word and a legal form."""

from __future__ import annotations

import numpy as np

from tradecredit.kit.countries import country_name

_TRADE_LANGUAGES = ("en", "de", "fr", "it", "es", "nl")


def _words(joined: str) -> tuple[str, ...]:
    return tuple(joined.split("|"))


def _by_language(joined: str) -> dict[str, str]:
    return dict(zip(_TRADE_LANGUAGES, joined.split("|"), strict=True))


STEMS: dict[str, tuple[str, ...]] = {
    "de": _words(
        "Becker|Hoffmann|Keller|Wagner|Brandt|Rhein|Nordstern|Alpen|Hansa|Elbe|Schwarzwald|Weser|Lindner|Krüger|Sommer|Falken|Berger|Vogel|Adler|Mainfranken|Schröder|Ostwind|Bodensee|Harz"
    ),
    "fr": _words(
        "Dubois|Lefèvre|Moreau|Garnier|Rhône|Loire|Atlantique|Provence|Lambert|Bonnet|Mercier|Alpine|Bretagne|Durand|Girard|Aquitaine|Fontaine|Rousseau|Vosges|Morvan"
    ),
    "it": _words(
        "Rossi|Bianchi|Ferrari|Romano|Colombo|Adriatica|Lombarda|Veneta|Galli|Conti|Marino|Toscana|Ricci|Greco|Padana|Esposito|Brembo Valle|Emiliana"
    ),
    "es": _words(
        "García|Martínez|Ibérica|Levante|Cantábrica|Navarro|Ruiz|Hispania|Mediterránea|Serrano|Ortega|Castilla|Aragonesa|Galaica|Del Valle|Montaña"
    ),
    "nl": _words(
        "De Vries|Jansen|Bakker|Visser|Noordzee|Delta|Hollandia|Smit|Mulder|Oranje|Brabant|Zeeland|Van Dijk|Veluwe|Schelde|Kempen"
    ),
    "pl": _words(
        "Kowalski|Nowak|Wisła|Mazowsze|Bałtyk|Wójcik|Polmet|Karpaty|Lewandowski|Zieliński|Pomorze|Śląsk|Warta|Tatra"
    ),
    "cs": _words(
        "Novák|Dvořák|Morava|Vltava|Bohemia|Svoboda|Krkonoše|Procházka|Beskyd|Šumava|Hanák"
    ),
    "sv": _words(
        "Lindqvist|Berg|Nordic|Svea|Ström|Fjäll|Holm|Vänern|Ekström|Björk|Norrland|Dalarna"
    ),
    "da": _words(
        "Jensen|Nielsen|Hansen|Dansk|Jylland|Sjælland|Nordhavn|Møller|Kattegat|Larsen|Fyn"
    ),
    "en": _words(
        "Thornton|Whitfield|Ashford|Pennine|Severn|Hartley|Summit|Redwood|Crescent|Harbor|Lakeside|Pioneer|Keystone|Meridian|Sterling|Bridgewater|Cascade|Northgate|Riverside|Oakridge"
    ),
    "zh": _words(
        "Huaxin|Zhongda|Jinfeng|Hengtai|Xinhua|Tianli|Haitong|Ruida|Hongxing|Longsheng|Yuanfeng|Kaida|Mingyang|Dongfang"
    ),
    "ja": _words(
        "Takahashi|Yamamoto|Nakamura|Fuji|Sakura|Tokai|Kansai|Daiwa|Nippon|Hokuriku|Shinwa|Kyowa|Toyo|Sanyo"
    ),
    "tr": _words("Anadolu|Yılmaz|Demir|Boğaziçi|Ege|Marmara|Kaya|Toros|Şahin|Karadeniz|Kapadokya"),
    "pt": _words(
        "Silva|Santos|Paulista|Oliveira|Amazônia|Costa|Sul|Atlântico|Pereira|Minas|Ferreira|Guanabara"
    ),
}
CN_CITIES = _words(
    "Shanghai|Shenzhen|Ningbo|Suzhou|Guangzhou|Tianjin|Qingdao|Wuxi|Dongguan|Hangzhou"
)
TRADE_WORDS: dict[str, dict[str, str]] = {
    "C10": _by_language("Foods|Lebensmittel|Alimentaire|Alimentari|Alimentación|Voeding"),
    "C20": _by_language("Chemicals|Chemie|Chimie|Chimica|Química|Chemie"),
    "C22": _by_language("Plastics|Kunststofftechnik|Plasturgie|Plastica|Plásticos|Kunststoffen"),
    "C25": _by_language("Metalworks|Metallbau|Métallerie|Metalli|Metálicas|Metaalwerken"),
    "C26": _by_language("Electronics|Elektronik|Électronique|Elettronica|Electrónica|Elektronica"),
    "C28": _by_language("Machinery|Maschinenbau|Machines|Meccanica|Maquinaria|Machinebouw"),
    "C29": _by_language(
        "Automotive|Fahrzeugteile|Équipements Auto|Componenti Auto|Automoción|Autotechniek"
    ),
    "F41": _by_language("Construction|Bau|Construction|Costruzioni|Construcciones|Bouw"),
    "F43": _by_language(
        "Building Services|Haustechnik|Installations|Impianti|Instalaciones|Installatietechniek"
    ),
    "G46": _by_language("Trading|Handel|Distribution|Commerciale|Distribuciones|Groothandel"),
    "G47": _by_language("Retail|Fachmarkt|Commerce|Negozi|Comercial|Winkels"),
    "H49": _by_language("Logistics|Logistik|Transports|Trasporti|Transportes|Transport"),
    "J62": _by_language("Systems|Systemhaus|Informatique|Informatica|Sistemas|Automatisering"),
    "M71": _by_language(
        "Engineering|Ingenieurbüro|Ingénierie|Ingegneria|Ingeniería|Ingenieursbureau"
    ),
    "Q86": _by_language("Medical Centre|Klinik|Clinique|Clinica|Clínica|Kliniek"),
}


def trade_word(sector: str, language: str) -> str:
    words = TRADE_WORDS[sector]
    return words.get(language, words["en"])


def company_name(rng: np.random.Generator, *, language: str, sector: str, legal_form: str) -> str:
    """A plausible name in the buyer's language; Chinese buyers carry their city, as registered."""
    stems = STEMS.get(language, STEMS["en"])
    first = stems[int(rng.integers(len(stems)))]
    word = trade_word(sector, language)
    if language == "zh":
        city = CN_CITIES[int(rng.integers(len(CN_CITIES)))]
        return f"{city} {first} {word} {legal_form}"
    if rng.random() < 0.3:
        second = stems[int(rng.integers(len(stems)))]
        if second != first:
            return f"{first} & {second} {word} {legal_form}"
    return f"{first} {word} {legal_form}"


def subsidiary_name(
    parent_name: str, parent_legal_form: str, *, country: str, legal_form: str
) -> str:
    """A group member carries the parent's name, then its own country and legal form."""
    stem = parent_name.removesuffix(parent_legal_form).strip()
    return f"{stem} {country_name(country)} {legal_form}"
