"""The ICD-10-CM code set is parsed once even when several requests need it at the same moment;
none of them sees a half-built table (a real code reported unknown)."""

import threading

from ketamine_clinic.clinical import icd10cm


def test_concurrent_first_lookups_all_see_the_whole_code_set():
    icd10cm._parsed.cache_clear()
    barrier, answers = threading.Barrier(6), []

    def look_up():
        barrier.wait(timeout=30)
        answers.append((icd10cm.exists("F33.1"), icd10cm.exists("F32.A"), len(icd10cm._codes())))

    threads = [threading.Thread(target=look_up, daemon=True) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a lookup hung"
    assert len(answers) == 6 and {a[:2] for a in answers} == {(True, True)}
    assert len({a[2] for a in answers}) == 1 and icd10cm._parsed.cache_info().misses == 1  # parsed once
