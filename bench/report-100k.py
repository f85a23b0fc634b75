#!/usr/bin/env python3
"""Writes synthetic `smbsign audit --format json` documents (schemaVersion 2) for bench/report-100k.sh.

Usage: report-100k.py OUT_DIR MACHINES FILES
Each machine carries 16 results with every field the real audit writes (rule, item, title, level, setting,
registry, status, operator, expected, configured, stored, effective, provenance ...), so file size and parse cost
are those of a real audit. The fleet is split over FILES documents, as per-site audits would be. Deterministic:
machine i's OS, failures and names depend on i only.
"""
import json
import sys

RULES = [
    ("2.3.8.1", "client.RequireSecuritySignature", "LanmanWorkstation", "RequireSecuritySignature"),
    ("2.3.8.2", "client.EnableSecuritySignature", "LanmanWorkstation", "EnableSecuritySignature"),
    ("2.3.8.3", "client.EnablePlainTextPassword", "LanmanWorkstation", "EnablePlainTextPassword"),
    ("2.3.9.1", "server.AutoDisconnect", "LanmanServer", "AutoDisconnect"),
    ("2.3.9.2", "server.RequireSecuritySignature", "LanmanServer", "RequireSecuritySignature"),
    ("2.3.9.3", "server.EnableSecuritySignature", "LanmanServer", "EnableSecuritySignature"),
    ("2.3.9.4", "server.EnableForcedLogoff", "LanmanServer", "EnableForcedLogoff"),
    ("2.3.9.5", "server.SmbServerNameHardeningLevel", "LanmanServer", "SmbServerNameHardeningLevel"),
    ("2.3.10.9", "server.RestrictNullSessAccess", "LanmanServer", "RestrictNullSessAccess"),
    ("2.3.11.7", "system.LmCompatibilityLevel", "Lsa", "LmCompatibilityLevel"),
    ("18.4.3", "client.Smb1Driver", "mrxsmb10", "Start"),
    ("18.4.4", "server.SMB1", "LanmanServer", "SMB1"),
    ("18.6.8.1", "client.AllowInsecureGuestAuth", "LanmanWorkstation", "AllowInsecureGuestAuth"),
    ("18.6.14.1-NETLOGON", "client.HardenedPaths.NETLOGON", "NetworkProvider", "\\\\*\\NETLOGON"),
    ("18.6.14.1-SYSVOL", "client.HardenedPaths.SYSVOL", "NetworkProvider", "\\\\*\\SYSVOL"),
    ("5.26.1", "server.ServiceStart", "LanmanServer", "Start"),
]
OSES = [("win11-24h2-enterprise", "Windows 11 24H2 Enterprise", "cis-win11-24h2"),
        ("win11-23h2", "Windows 11 23H2 Pro", "cis-win11-23h2"),
        ("win10-enterprise", "Windows 10 22H2 Enterprise", "cis-win11-23h2"),
        ("server2022", "Windows Server 2022", "cis-server2022"),
        ("server2025", "Windows Server 2025", "cis-server2025")]


def result(i, r, rule):
    rid, setting, service, value = rule
    # About a third of the machines fail a few items, chosen by i so the output is reproducible.
    fails = (i % 3 == 0) and ((i >> (r % 7)) & 1) == 1 and r in (0, 4, 5, 9, 12, 13, 14)
    nc = (i + r) % 4 == 0
    key = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\" + service + "\\Parameters"
    return {
        "rule": rid, "item": rid.split("-")[0],
        "title": "Ensure '" + setting + "' is set as the benchmark requires (synthetic " + rid + ")",
        "level": "L1", "setting": setting,
        "registry": {"key": key, "valueName": value, "type": "REG_DWORD"},
        "status": "fail" if fails else "pass", "operator": "equals", "expected": "1",
        "configured": None if nc else ("0" if fails else "1"), "stored": None if nc else "REG_DWORD 1",
        "effective": "0" if fails else "1", "effectiveSource": "default" if nc else "configured",
        "effectiveCompliant": not fails, "notConfigured": nc, "strictFailure": False,
        "reason": ("not-configured" if nc else None) if fails else ("default" if nc else None),
        "layer": None if nc else "group-policy",
        "source": None if nc else "exports/pc-%06d.reg:%d" % (i, 10 + r),
        "note": None,
    }


def machine(i):
    os_id, os_name, benchmark = OSES[i % len(OSES)]
    results = [result(i, r, rule) for r, rule in enumerate(RULES)]
    failing = [x["rule"] for x in results if x["status"] == "fail"]
    return {
        "name": "pc-%06d" % i, "os": os_id, "osName": os_name, "osOrigin": "machines.json",
        "role": "member" if os_id.startswith("server") else "workstation",
        "benchmark": benchmark, "benchmarkName": benchmark, "benchmarkOrigin": "default",
        "sources": [{"path": "exports/pc-%06d.reg" % i, "format": "reg", "errors": 0, "warnings": 0, "settings": 12}],
        "diagnostics": [], "notes": [], "verdict": "fail" if failing else "pass", "failing": failing,
        "counts": {"pass": len(results) - len(failing), "fail": len(failing), "notApplicable": 0, "error": 0,
                   "notConfigured": sum(1 for x in results if x["notConfigured"])},
        "results": results,
    }


def main():
    out, total, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    per = (total + files - 1) // files
    for f in range(files):
        lo, hi = f * per, min(total, (f + 1) * per)
        with open("%s/audit-%d.json" % (out, f + 1), "w") as w:
            w.write('{"schemaVersion":2,"generatedAt":"2026-12-07T00:00:00Z","toolVersion":"bench","tool":"smbsign bench",'
                    '"strict":false,"failuresOnly":false,"machines":[')
            for i in range(lo, hi):
                if i > lo:
                    w.write(",")
                w.write(json.dumps(machine(i), separators=(",", ":")))
            w.write('],"benchmark":"per-machine","summary":{"machines":%d},"problems":[],"warnings":[]}\n' % (hi - lo))


main()
