"""The sources the billing rules cite (shared/PRACTICE.md s.2), by short name."""

from ketamine_clinic.clinical.sources import CLINIC_POLICY, Source  # verify=True: "[from memory, verify]"

SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(CLINIC_POLICY, "Clinic policy: no published number; a clinic setting with a shipped default."),
        Source("cpt-96365", "96365 covers about 16-90 min; <=15 min is a push (clearcostestimate.com, freecptcodefinder.com)."),
        Source("aapc-96366", "AAPC Pulmonology Coding Alert: +96366 only when >30 min beyond the first hour."),
        Source("codingmcw-96365", "codingmcw page for 96365: +96367 sequential / +96368 concurrent infusion."),
        Source("push-96374", "96374 / +96375 / +96376 IV push codes (PRACTICE.md s.2.1, from memory).", verify=True),
        Source("anchors-96372", "96372 IM/SC injection (clinical-anchors s.5.2)."),
        Source("bcbsma-j3490", "BCBS MA: J3490 unclassified drug needs the NDC on the claim (N4, 11 digits, unit, quantity)."),
        Source("ndc-format", "NDC claim format: N4 qualifier, 11-digit NDC, unit qualifier (PRACTICE.md s.2.1, from memory).", verify=True),
        Source("osmind-j0013", "Osmind blog 'SPRAVATO J Code' (2026-02-05); UHC policy 2026D0069P: J0013 esketamine 1 mg, replaces S0013 from 1 Jan 2026."),
        Source("osmind-g2082", "Osmind blog; neolytix.com: G2082/G2083 Medicare bundled Spravato (<=56 / >56 mg), established patients, no separate E/M same date."),
        Source("aapc-em-time", "AAPC E/M Coding Alert: 99205 = 60-74 min; 99215 = 40-54 min."),
        Source("aapc-99417", "AAPC (Spravato 225-min Q&A); immedicaresolutions.com: +99417 each 15 min from top-level minimum + 15; MUE 4."),
        Source("aapc-g2212", "AAPC forum citing CY2021 MPFS final rule: G2212 after the maximum time + 15 (99215 -> 69 min, 99205 -> 89 min)."),
        Source("aapc-active-time", "AAPC 'Spravato Billing for Behavioral Health'; therybargroup.com: prolonged time is active clinician time."),
        Source("empr-90791", "empr.com (2013 changes): 90791/90792 evaluation without/with medical services; +90785 interactive complexity."),
        Source("novitas-psychotherapy", "Novitas JL, LCD L35101: 90832/90834/90837 = 16-37 / 38-52 / >=53 min, none under 16 min; add-ons with E/M."),
        Source("cat3-0820t", "codingahead 0822T; rvuedge 0820T/0821T: monitoring during psychedelic medication therapy (effective date from memory).", verify=True),
        Source("modifier-25", "Modifier 25 on an E/M with a same-day procedure (PRACTICE.md s.2.1, from memory).", verify=True),
        Source("pos-codes", "POS 11 office, 02 telehealth not at home (mysuperbills, reimbursify); 10 telehealth at home (from memory)."),
        Source("cfr-149-610", "45 CFR 149.610: good-faith estimate content, deadlines, up to 12 months of recurring services."),
        Source("cfr-149-620", "45 CFR 149.620: patient-provider dispute when billed >= $400 above the estimate, within 120 days."),
        Source("reg-z-1026", "Reg Z 12 CFR 1026: creditor when credit has a finance charge or > 4 instalments by written agreement."),
        Source("spravato-pi", "SPRAVATO (esketamine) nasal spray, US prescribing information: 28 mg per device."),
    )
}
