"""Writes the rule-test fixtures under tests/data/<slug>/ (one JSON Lines
file per case, each row carrying its table in `Type`, as Log Analytics
exports do). Run from the repository root; the files are committed, this
script documents how they were made. Times are relative to the tests'
pinned now, 2021-11-22T12:00:00Z."""
import json, os
from datetime import datetime, timedelta, timezone

NOW = datetime(2021, 11, 22, 12, 0, tzinfo=timezone.utc)
SUB = "3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"
RUN = "Microsoft.Compute/virtualMachines/runCommand/action"

def at(minutes_before):
    return (NOW - timedelta(minutes=minutes_before)).strftime("%Y-%m-%dT%H:%M:%SZ")

def vm_id(vm, rg="rg-prod"):
    return f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}"

def run_command(caller, ip, vm, minutes_before, corr, outcome="Succeeded"):
    """One Run Command execution: Started, Accepted, then Succeeded/Failed (three events)."""
    auth = json.dumps({"action": RUN, "scope": vm_id(vm)})
    rows = []
    for i, status in enumerate(["Started", "Accepted", outcome]):
        rows.append({"Type": "AzureActivity", "TimeGenerated": at(minutes_before - i * 0.5 if i else minutes_before),
                     "OperationName": "Run Command on Virtual Machine", "OperationNameValue": RUN,
                     "ActivityStatus": status, "ActivityStatusValue": status, "Caller": caller, "CallerIpAddress": ip,
                     "CorrelationId": corr, "Authorization": auth, "Resource": vm.upper(), "ResourceGroup": "RG-PROD",
                     "_ResourceId": vm_id(vm), "SubscriptionId": SUB, "Category": "Administrative"})
    return rows

def activity(op, caller, minutes_before, ip="203.0.113.7", resource="/subscriptions/%s/resourceGroups/rg-backup" % SUB, **extra):
    row = {"Type": "AzureActivity", "TimeGenerated": at(minutes_before), "OperationNameValue": op, "OperationName": op,
           "ActivityStatusValue": "Success", "Caller": caller, "CallerIpAddress": ip, "_ResourceId": resource,
           "SubscriptionId": SUB, "Category": "Administrative", "CorrelationId": f"c-{op[-12:]}-{minutes_before}"}
    row.update(extra)
    return row

def corr(n):
    return f"7d0c8e1a-0000-4000-8000-{n:012d}"

def write(slug, name, rows):
    os.makedirs(f"tests/data/{slug}", exist_ok=True)
    with open(f"tests/data/{slug}/{name}.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")

M, A = "mallory@contoso.com", "alice.admin@contoso.com"
# run-command-spike: five commands by one caller inside ten minutes; four is below min_commands = 5.
write("run-command-spike", "burst", [r for i in range(5) for r in run_command(M, "198.51.100.23", "vm-web-01", 40 - 2 * i, corr(i))])
write("run-command-spike", "four-commands", [r for i in range(4) for r in run_command(M, "198.51.100.23", "vm-web-01", 40 - 2 * i, corr(i))])
# run-command-infrequent: one successful run vs one that failed.
write("run-command-infrequent", "one-off-run", run_command(M, "198.51.100.23", "vm-db-02", 90, corr(10)))
write("run-command-infrequent", "failed-run", run_command(M, "198.51.100.23", "vm-db-02", 90, corr(11), outcome="Failed"))
# run-command-unapproved-caller-nrt: a successful run by anyone (no approved callers) vs a failed one.
write("run-command-unapproved-caller-nrt", "unapproved-run", run_command(M, "198.51.100.23", "vm-web-01", 3, corr(20)))
write("run-command-unapproved-caller-nrt", "failed-run", run_command(M, "198.51.100.23", "vm-web-01", 3, corr(21), outcome="Failed"))
# run-command-ueba-breach: an uncommon sign-in flagged by UEBA, then a run 2h later; vs the run 10h after it.
def ueba(minutes_before, upn=M):
    return {"Type": "BehaviorAnalytics", "TimeGenerated": at(minutes_before), "EventSource": "Azure AD", "ActionType": "Sign-in",
            "UserPrincipalName": upn, "SourceIPLocation": "Lagos, NG",
            "ActivityInsights": {"ActionUncommonlyPerformedByUser": "True", "FirstTimeUserConnectedFromCountry": "True"},
            "UsersInsights": {"IsDormantAccount": "True"}}
write("run-command-ueba-breach", "uncommon-signin-then-run", [ueba(240)] + run_command(M, "198.51.100.23", "vm-web-01", 120, corr(30)))
write("run-command-ueba-breach", "run-long-after-signin", [ueba(720)] + run_command(M, "198.51.100.23", "vm-web-01", 60, corr(31)))
# run-command-unique-script / -mde-linked / -script-volatility: the VM side from Defender.
def file_event(vm, minutes_before, name="script1.ps1", size=1024):
    return {"Type": "DeviceFileEvents", "TimeGenerated": at(minutes_before), "DeviceName": f"{vm}.contoso.local",
            "InitiatingProcessFileName": "RunCommandExtension.exe", "FileName": name, "FileSize": size,
            "InitiatingProcessAccountName": "system", "InitiatingProcessAccountDomain": "nt authority",
            "InitiatingProcessFolderPath": "c:\\packages\\plugins\\microsoft.cplat.core.runcommandwindows\\1.1.11\\bin\\runcommandextension.exe",
            "InitiatingProcessId": 4242}
def ps_event(vm, minutes_before, command, name="script1.ps1"):
    return {"Type": "DeviceEvents", "TimeGenerated": at(minutes_before), "DeviceName": f"{vm}.contoso.local", "ActionType": "PowerShellCommand",
            "InitiatingProcessCommandLine": f"powershell -ExecutionPolicy Unrestricted -File {name}",
            "AdditionalFields": json.dumps({"Command": command})}
def scripted_run(minutes_before, n, commands, name="script1.ps1", size=1024):
    rows = run_command(M, "198.51.100.23", "vm-web-01", minutes_before, corr(n))
    rows.append(file_event("vm-web-01", minutes_before - 0.5, name, size))
    rows += [ps_event("vm-web-01", minutes_before - 0.7 - i * 0.01, c, name) for i, c in enumerate(commands)]
    return rows
DOWNLOAD = ["Invoke-WebRequest", "Start-Process", "Remove-Item"]
write("run-command-unique-script", "new-script", scripted_run(120, 40, DOWNLOAD))
write("run-command-unique-script", "baseline-only", scripted_run(5 * 1440, 41, DOWNLOAD))
write("run-command-mde-linked", "script-on-vm", scripted_run(120, 50, DOWNLOAD))
write("run-command-mde-linked", "run-without-script", run_command(M, "198.51.100.23", "vm-web-01", 120, corr(51)))
write("run-command-script-volatility", "different-scripts",
      run_command(M, "198.51.100.23", "vm-web-01", 120, corr(60)) + [file_event("vm-web-01", 119.6, "script1.ps1", 1024), file_event("vm-web-01", 119.5, "script2.ps1", 4096)])
write("run-command-script-volatility", "same-script-twice",
      run_command(M, "198.51.100.23", "vm-web-01", 120, corr(61)) + [file_event("vm-web-01", 119.6, "script1.ps1", 1024), file_event("vm-web-01", 119.5, "script2.ps1", 1024)])
# run-command-from-azure-ip: from a WindowsVirtualDesktop address vs a residential one (needs the service-tag feed: externaldata).
write("run-command-from-azure-ip", "from-wvd-range", run_command(M, "203.0.113.5", "vm-web-01", 300, corr(70)))
write("run-command-from-azure-ip", "from-home-ip", run_command(M, "198.51.100.23", "vm-web-01", 300, corr(71)))
# recovery-vault-deletion / sensitive-azure-operations.
write("recovery-vault-deletion", "vault-deleted", [activity("Microsoft.RecoveryServices/vaults/delete", M, 600)])
write("recovery-vault-deletion", "vault-read", [activity("Microsoft.RecoveryServices/vaults/read", M, 600)])
write("sensitive-azure-operations", "storage-keys-listed", [activity("Microsoft.Storage/storageAccounts/listKeys/action", M, 300)])
write("sensitive-azure-operations", "four-vm-deletions", [activity("Microsoft.Compute/virtualMachines/delete", A, 300 - i * 10, resource=vm_id(f"vm-old-0{i}")) for i in range(4)])
# activity-connector-health: recent events per subscription vs only events older than the lookback.
write("activity-connector-health", "legacy-connector", [activity("Microsoft.Resources/deployments/write", A, 60, Claims="", _SubscriptionId="")])
write("activity-connector-health", "no-recent-events", [activity("Microsoft.Resources/deployments/write", A, 40 * 1440, Claims="", _SubscriptionId="")])
# caller-activity-summary: the suspected user's operations vs someone else's.
write("caller-activity-summary", "suspect-activity", [activity("Microsoft.Compute/virtualMachines/write", "suspected.user@contoso.com", 30 + i) for i in range(3)])
write("caller-activity-summary", "other-caller", [activity("Microsoft.Compute/virtualMachines/write", A, 30 + i) for i in range(3)])
# dormant-service-principal-creds / dormant-user-mfa-logon.
SP = "5b6c7d8e-9f00-4a1b-8c2d-3e4f5a6b7c8d"
def audit(op, target, minutes_before):
    return {"Type": "AuditLogs", "TimeGenerated": at(minutes_before), "OperationName": op, "Result": "success",
            "ResultDescription": "", "TargetResources": [target]}
def signin(minutes_before, **kw):
    row = {"Type": "SigninLogs", "TimeGenerated": at(minutes_before), "ResultType": "0", "IPAddress": "198.51.100.23",
           "UserAgent": "Mozilla/5.0", "LocationDetails": {"countryOrRegion": "NG"}}
    row.update(kw)
    return row
def sp_signin(minutes_before):
    return {"Type": "AADServicePrincipalSignInLogs", "TimeGenerated": at(minutes_before), "ResultType": "0", "ServicePrincipalId": SP}
write("dormant-service-principal-creds", "dormant-sp-new-secret",
      [audit("Add service principal credentials", {"id": SP, "type": "ServicePrincipal"}, 120), signin(60, ServicePrincipalId=SP)])
write("dormant-service-principal-creds", "active-sp-new-secret",
      [sp_signin(5 * 1440), audit("Add service principal credentials", {"id": SP, "type": "ServicePrincipal"}, 120), signin(60, ServicePrincipalId=SP)])
UID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
write("dormant-user-mfa-logon", "dormant-user-adds-mfa",
      [audit("User registered security info", {"id": UID, "userPrincipalName": "bob@contoso.com"}, 120), signin(60, UserId=UID, UserPrincipalName="bob@contoso.com")])
write("dormant-user-mfa-logon", "active-user-adds-mfa",
      [signin(5 * 1440, UserId=UID, UserPrincipalName="bob@contoso.com"), audit("User registered security info", {"id": UID, "userPrincipalName": "bob@contoso.com"}, 120),
       signin(60, UserId=UID, UserPrincipalName="bob@contoso.com")])
# anomalous-azure-operation: thirty days of alice's routine, then mallory's first Run Command from a new network; vs routine only.
routine = [activity("Microsoft.Compute/virtualMachines/write", A, d * 1440 + 600, ip="10.20.0.5", resource=vm_id("vm-web-01")) for d in range(4, 30)]
write("anomalous-azure-operation", "first-run-command-from-new-network", routine + run_command(M, "198.51.100.23", "vm-web-01", 1440, corr(80)))
write("anomalous-azure-operation", "routine-only", routine)
