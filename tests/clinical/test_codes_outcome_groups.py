"""The outcomes dashboard's indication groups are ICD-10-CM prefixes covering every indication code."""

from ketamine_clinic.clinical.codes import KNOWN_ICD10CM, OUTCOME_INDICATION_GROUPS


def test_every_known_indication_code_falls_in_exactly_one_group_except_the_symptom_code():
    for code in KNOWN_ICD10CM:
        groups = [key for key, _, prefixes in OUTCOME_INDICATION_GROUPS if any(code.startswith(p) for p in prefixes)]
        expected = 0 if code == "R45.851" else 1  # suicidal ideation is a symptom, reported with its episode
        assert len(groups) == expected, (code, groups)


def test_group_keys_are_unique_and_each_label_names_its_prefixes():
    keys = [key for key, _, _ in OUTCOME_INDICATION_GROUPS]
    assert len(keys) == len(set(keys))
    for _, label, prefixes in OUTCOME_INDICATION_GROUPS:
        assert all(p.split(".")[0] in label for p in prefixes)
