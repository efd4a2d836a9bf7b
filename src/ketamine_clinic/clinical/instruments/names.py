"""Each instrument's name as clinicians write it on a chart ("PHQ-9", not the key "phq9")."""

ABBREVIATIONS: dict[str, str] = {
    "phq9": "PHQ-9",
    "gad7": "GAD-7",
    "pcl5": "PCL-5",
    "cssrs": "C-SSRS",
    "pain_nrs": "Pain NRS",
    "madrs": "MADRS",
    "cadss": "CADSS",
    "cadss6": "CADSS-6",
    "ybocs": "Y-BOCS",
    "qids_sr16": "QIDS-SR16",
}


def abbreviation(key: str) -> str:
    return ABBREVIATIONS.get(key, key)
