#!/usr/bin/env python3
"""make-sample-exports-azure.py: the sample deployed state of city B's subscription.

Writes what hinagata-collect-azure saves from the az CLI for a subscription
into which the compiled sample (build/city-b/juki-azure.json) was deployed
with `az deployment sub create --name city-b-juki --location japaneast`:
the subscription-scope resources of the gc-azure mandatory templates (policy
assignments, Defender plans, the activity log's diagnostic setting), the
resource group rg-city-b-juki with the log workspace and the network of the
resident registry system (nested deployments Logs and Network), the lock on
the workspace, and what Azure creates by itself beside them (every other
Defender plan, Free; Defender for Cloud's own policy assignment; the
NetworkWatcherRG group with its network watcher).

The files, in the shapes the az CLI prints (see scripts/hinagata-collect-azure):

  hinagata-collect.json                    the collector's manifest
  az-group-list.json                       az group list
  az-deployment-sub-list.json              az deployment sub list
  az-deployment-group-list-RG.json         az deployment group list -g RG
  az-policy-assignment-list.json           az policy assignment list (flattened)
  az-role-assignment-list.json             az role assignment list --all (flattened)
  az-lock-list.json                        az lock list (flattened)
  az-security-pricing-list.json            az security pricing list ({"value": [...]}, flattened)
  az-diagnostic-settings-subscription.json az monitor diagnostic-settings subscription list (the same)
  az-resource-list-RG.json                 az resource list -g RG
  az-resource-show-RG-NNN.json             az resource show --ids ID --api-version V
  az-deployment-sub-export-NAME.json       az deployment sub export --name NAME (the template
                                           the deployment was made with: the compiled one)
  az-deployment-group-export-RG-NAME.json  az deployment group export (a nested deployment's
                                           inline template)

The deployments' records carry a templateHash as az deployment show prints
it; Resource Manager computes it from the template in a way of its own, so
the sample puts the template's metadata._generator.templateHash in its place.

into OUT_CLEAN (deployed as written; what Azure adds: provisioningState,
etag, resourceGuid, IDs, default security rules, locations in lower case,
child IDs with the resource group in other case) and OUT_DRIFT (the same
with the drifts listed in samples/city-b/README.md).

The expressions of the compiled template are evaluated here by a small ARM
evaluator of its own, independent of hinagata's.

Usage: scripts/make-sample-exports-azure.py COMPILED_JSON OUT_CLEAN OUT_DRIFT
"""
import copy
import json
import os
import re
import sys

SUB = "8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f"
TENANT = "5e1d7c2a-3b4f-4a6e-8d9c-0f1e2d3c4b5a"
LOCATION = "japaneast"
DEPLOYMENT = "city-b-juki"
SUB_PARAMS = {"location": "japaneast", "logsRetentionDays": 365, "networkAddressSpace": "10.30.0.0/16",
              "securityEmail": "security@city-b.example.lg.jp"}
TIME = "2026-04-01T09:00:00.0000000Z"
DEPLOYER = "0b6f3c2e-7a1d-4e5f-9c8b-2d3e4f5a6b7c"
# Defender plans every subscription has (Free unless turned on)
PLANS = ["VirtualMachines", "SqlServers", "AppServices", "StorageAccounts", "SqlServerVirtualMachines",
         "KeyVaults", "Dns", "Arm", "OpenSourceRelationalDatabases", "Containers", "CosmosDbs",
         "CloudPosture", "Api", "AI"]


# ---- a small ARM expression evaluator ----

class Ctx:
    def __init__(self, doc, params, rg, deployments):
        self.doc, self.params, self.rg, self.deployments = doc, params, rg, deployments


def rg_id(rg):
    return f"/subscriptions/{SUB}/resourceGroups/{rg}"


def type_id(prefix, rtype, names):
    ns, *types = rtype.split("/")
    out = f"{prefix}/providers/{ns}"
    for t, n in zip(types, names):
        out += f"/{t}/{n}"
    return out


def call(ctx, name, args):
    if name == "parameters":
        return ctx.params[args[0]]
    if name == "format":
        return re.sub(r"\{(\d+)\}", lambda m: str(args[1 + int(m.group(1))]), args[0])
    if name == "subscription":
        return {"subscriptionId": SUB, "id": f"/subscriptions/{SUB}", "tenantId": TENANT}
    if name == "resourceGroup":
        return {"name": ctx.rg, "location": LOCATION, "id": rg_id(ctx.rg)}
    if name == "resourceId":
        return type_id(rg_id(ctx.rg), args[0], args[1:])
    if name == "subscriptionResourceId":
        if args[0] == "Microsoft.Resources/resourceGroups":
            return rg_id(args[1])
        return type_id(f"/subscriptions/{SUB}", args[0], args[1:])
    if name == "extensionResourceId":
        return type_id(args[0], args[1], args[2:])
    if name == "reference":
        return {"outputs": ctx.deployments[args[0].lower()]}
    raise ValueError(f"function {name} is not known here")


def parse(ctx, s, i):
    """One expression at s[i:] -> (value, next index)."""
    if s[i] == "'":
        j = s.index("'", i + 1)
        val, i = s[i + 1:j], j + 1
    else:
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", s[i:])
        name, i = m.group(0), i + len(m.group(0))
        assert s[i] == "("
        i += 1
        args = []
        while s[i] != ")":
            v, i = parse(ctx, s, i)
            args.append(v)
            while s[i] in ", ":
                i += 1
        val, i = call(ctx, name, args), i + 1
    while i < len(s) and s[i] == ".":
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", s[i + 1:])
        val, i = val[m.group(0)], i + 1 + len(m.group(0))
    return val, i


def ev(ctx, v):
    if isinstance(v, dict):
        return {k: ev(ctx, x) for k, x in v.items()}
    if isinstance(v, list):
        return [ev(ctx, x) for x in v]
    if isinstance(v, str) and v.startswith("[") and v.endswith("]") and not v.startswith("[["):
        val, i = parse(ctx, v[1:-1], 0)
        assert i == len(v) - 2, v
        return val
    return v


# ---- the deployed state ----

def nested(ctx, res):
    """A nested deployment: its resource group and context; its outputs known to ctx."""
    inner = res["properties"]["template"]
    rg = ev(ctx, res.get("resourceGroup", ctx.rg))
    params = {k: ev(ctx, p["value"]) for k, p in res["properties"].get("parameters", {}).items()}
    for k, p in inner.get("parameters", {}).items():
        params.setdefault(k, p.get("defaultValue"))
    sub = Ctx(inner, params, rg, ctx.deployments)
    did = type_id(rg_id(rg), "Microsoft.Resources/deployments", [res["name"]]).lower()
    ctx.deployments[did] = {k: {"type": o["type"].capitalize(), "value": ev(sub, o["value"])}
                            for k, o in inner.get("outputs", {}).items()}
    return rg, sub, params, ctx.deployments[did]


def resources(doc, ctx, out):
    """(resource group or None, evaluated resource) of doc and its nested deployments, in order."""
    for res in doc["resources"]:  # first the outputs, which resources before them may use
        if res["type"] == "Microsoft.Resources/deployments":
            nested(ctx, res)
    for res in doc["resources"]:
        if res["type"] == "Microsoft.Resources/deployments":
            rg, sub, params, outputs = nested(ctx, res)
            resources(res["properties"]["template"], sub, out)
            inner = res["properties"]["template"]
            out.append((rg, {"kind": "deployment", "name": res["name"], "params": params, "outputs": outputs,
                             "template": inner,
                             "templateHash": inner.get("metadata", {}).get("_generator", {}).get("templateHash")}))
            continue
        r = {k: ev(ctx, v) for k, v in res.items() if k not in ("dependsOn", "metadata", "apiVersion")}
        r["apiVersion"] = res["apiVersion"]
        out.append((ctx.rg, r))
    return out


def arm_id(rg, r):
    if r["type"] == "Microsoft.Resources/resourceGroups":
        return rg_id(r["name"])
    if "scope" in r:
        return type_id(f"{rg_id(rg)}/providers/{r['scope']}", r["type"], [r["name"]])
    if rg is None:
        return type_id(f"/subscriptions/{SUB}", r["type"], [r["name"]])
    return type_id(rg_id(rg), r["type"], r["name"].split("/"))


def show(rg, r):
    """az resource show: the declared settings plus what Azure adds."""
    rtype, name = r["type"], r["name"]
    out = {"id": arm_id(rg, r), "name": name, "type": rtype,
           "location": r.get("location", LOCATION).lower() if r.get("location") != "Global" else "global",
           "tags": r.get("tags", {}), "resourceGroup": rg}
    for k in ("kind", "sku"):
        if k in r:
            out[k] = r[k]
    props = copy.deepcopy(r.get("properties", {}))
    props["provisioningState"] = "Succeeded"
    if rtype == "Microsoft.Network/networkSecurityGroups":
        props["resourceGuid"] = "3f1c2b4a-%04x-4d5e-8f9a-0b1c2d3e4f5a" % (len(name) * 257)
        for rule in props.get("securityRules", []):
            rule["id"] = out["id"] + "/securityRules/" + rule["name"]
            rule["etag"] = 'W/"5c2b8d1e-0a3f-4b6c-9d7e-1f2a3b4c5d6e"'
            rule["type"] = "Microsoft.Network/networkSecurityGroups/securityRules"
            rule["properties"]["provisioningState"] = "Succeeded"
            rule["properties"].setdefault("sourcePortRanges", [])
            rule["properties"].setdefault("destinationPortRanges", [])
        props["defaultSecurityRules"] = [{"name": "AllowVnetInBound", "properties": {
            "priority": 65000, "access": "Allow", "direction": "Inbound", "protocol": "*"}}]
    if rtype == "Microsoft.Network/virtualNetworks":
        for sn in props.get("subnets", []):
            sn["id"] = out["id"] + "/subnets/" + sn["name"]
            nsg = sn.get("properties", {}).get("networkSecurityGroup")
            if nsg:  # Azure prints the resource group of child IDs as it likes
                nsg["id"] = nsg["id"].replace("/resourceGroups/" + rg, "/resourceGroups/" + rg.upper())
            sn["properties"]["provisioningState"] = "Succeeded"
        props["enableDdosProtection"] = props.get("enableDdosProtection", False)
    if rtype == "Microsoft.Storage/storageAccounts":
        props["primaryEndpoints"] = {"blob": f"https://{name}.blob.core.windows.net/"}
        props["creationTime"] = TIME
        props["encryption"] = {"keySource": "Microsoft.Storage", "services": {"blob": {"enabled": True}}}
    if rtype == "Microsoft.OperationalInsights/workspaces":
        props["customerId"] = "9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a"
        props["features"] = {"enableLogAccessUsingOnlyResourcePermissions": True}
        props["workspaceCapping"] = {"dailyQuotaGb": -1.0}
    if rtype == "Microsoft.Insights/actionGroups":
        for rec in props.get("emailReceivers", []):
            rec["status"] = "Enabled"
    out["properties"] = props
    return out


def flattened(rg, r, extra):
    """What the az listings of extension resources print: the properties beside the envelope."""
    out = {"id": arm_id(rg, r), "name": r["name"], "type": r["type"]}
    out.update(copy.deepcopy(r.get("properties", {})))
    for k, v in extra.items():
        out.setdefault(k, v)
    return dict(sorted(out.items()))


def state(doc):
    """name -> JSON of every file the collector writes."""
    ctx = Ctx(doc, SUB_PARAMS, None, {})
    deployed = resources(doc, ctx, [])
    groups, shows, deployments = {}, {}, {"": []}
    policies, locks, pricings, diags = [], [], {}, []
    for rg, r in deployed:
        if r.get("kind") == "deployment":
            deployments.setdefault(rg, []).append(r)
            continue
        t = r["type"]
        if t == "Microsoft.Resources/resourceGroups":
            groups[r["name"]] = {"id": rg_id(r["name"]), "location": r["location"], "managedBy": None,
                                 "name": r["name"], "properties": {"provisioningState": "Succeeded"},
                                 "tags": r.get("tags", {}), "type": t}
        elif t == "Microsoft.Authorization/policyAssignments":
            policies.append(flattened(rg, r, {
                "scope": f"/subscriptions/{SUB}", "location": None, "identity": None,
                "notScopes": None, "nonComplianceMessages": None, "definitionVersion": "1.*.*",
                "metadata": {"assignedBy": "city-b-deployer", "createdBy": DEPLOYER, "createdOn": TIME,
                             "updatedBy": None, "updatedOn": None},
                "systemData": {"createdAt": TIME, "createdBy": DEPLOYER, "createdByType": "User"}}))
        elif t == "Microsoft.Security/pricings":
            pricings[r["name"]] = flattened(rg, r, {
                "subPlan": "P2" if r["name"] == "VirtualMachines" else None, "deprecated": None,
                "enablementTime": TIME, "freeTrialRemainingTime": "PT0S", "replacedBy": None,
                "extensions": None, "resourcesCoverageStatus": "FullyCovered", "enforce": "False",
                "inherited": "False", "inheritedFrom": None})
        elif t == "Microsoft.Insights/diagnosticSettings" and rg is None:
            diags.append(flattened(rg, r, {"location": None, "eventHubAuthorizationRuleId": None,
                                           "eventHubName": None, "serviceBusRuleId": None,
                                           "storageAccountId": None}))
        elif t == "Microsoft.Authorization/locks":
            locks.append(flattened(rg, r, {"owners": None, "resourceGroup": rg}))
        else:
            shows.setdefault(rg, []).append(show(rg, r))
    for plan in PLANS:
        pricings.setdefault(plan, {
            "id": f"/subscriptions/{SUB}/providers/Microsoft.Security/pricings/{plan}", "name": plan,
            "type": "Microsoft.Security/pricings", "pricingTier": "Free", "subPlan": None,
            "deprecated": True if plan == "Dns" else None, "enablementTime": None,
            "freeTrialRemainingTime": "PT0S", "replacedBy": ["Arm"] if plan == "Dns" else None,
            "extensions": None, "resourcesCoverageStatus": None, "enforce": "False",
            "inherited": "False", "inheritedFrom": None})
    policies.append({
        "id": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn",
        "name": "SecurityCenterBuiltIn", "type": "Microsoft.Authorization/policyAssignments",
        "displayName": "ASC Default (subscription: %s)" % SUB, "enforcementMode": "DoNotEnforce",
        "policyDefinitionId": "/providers/Microsoft.Authorization/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8",
        "scope": f"/subscriptions/{SUB}", "parameters": {}, "metadata": {"assignedBy": "Security Center"},
        "location": None, "identity": None, "notScopes": None, "nonComplianceMessages": None,
        "definitionVersion": "57.*.*", "description": None,
        "systemData": {"createdAt": TIME, "createdBy": "Security Center", "createdByType": "Application"}})
    policies.sort(key=lambda p: p["name"])
    # what Azure creates when a network is deployed in a region
    watcher_rg = "NetworkWatcherRG"
    groups[watcher_rg] = {"id": rg_id(watcher_rg), "location": LOCATION, "managedBy": None, "name": watcher_rg,
                          "properties": {"provisioningState": "Succeeded"}, "tags": {},
                          "type": "Microsoft.Resources/resourceGroups"}
    shows[watcher_rg] = [{"id": type_id(rg_id(watcher_rg), "Microsoft.Network/networkWatchers", ["NetworkWatcher_japaneast"]),
                          "name": "NetworkWatcher_japaneast", "type": "Microsoft.Network/networkWatchers",
                          "location": LOCATION, "tags": {}, "resourceGroup": watcher_rg,
                          "properties": {"provisioningState": "Succeeded"}}]

    def deployment(rg, d):
        scope = rg_id(rg) if rg else f"/subscriptions/{SUB}"
        out = {"id": type_id(scope, "Microsoft.Resources/deployments", [d["name"]]),
               "location": None if rg else LOCATION, "name": d["name"], "type": "Microsoft.Resources/deployments",
               "properties": {"mode": "Incremental", "provisioningState": "Succeeded", "timestamp": TIME,
                              "parameters": {k: {"type": "Int" if isinstance(v, int) else "String", "value": v}
                                             for k, v in d["params"].items()},
                              "outputs": d["outputs"]}}
        if d.get("templateHash"):
            out["properties"]["templateHash"] = d["templateHash"]
        if rg:
            out["resourceGroup"] = rg
        return out

    sub_deployment = {"kind": "deployment", "name": DEPLOYMENT, "params": SUB_PARAMS,
                      "outputs": {"resource_group": {"type": "String", "value": "rg-city-b-juki"}},
                      "template": doc,
                      "templateHash": doc.get("metadata", {}).get("_generator", {}).get("templateHash")}
    files = {
        "az-group-list.json": [groups[k] for k in sorted(groups, key=str.lower)],
        "az-deployment-sub-list.json": [deployment(None, sub_deployment)],
        "az-policy-assignment-list.json": policies,
        "az-role-assignment-list.json": [],
        "az-lock-list.json": locks,
        "az-security-pricing-list.json": {"value": [pricings[k] for k in sorted(pricings)]},
        "az-diagnostic-settings-subscription.json": {"value": diags},
    }
    for rg in sorted(groups, key=str.lower):
        files[f"az-deployment-group-list-{rg}.json"] = [deployment(rg, d) for d in deployments.get(rg, [])]
    # az deployment sub|group export: the template of each deployment (az prints it as it is)
    files[f"az-deployment-sub-export-{DEPLOYMENT}.json"] = doc
    for rg in sorted(groups, key=str.lower):
        for d in deployments.get(rg, []):
            files[f"az-deployment-group-export-{rg}-{d['name']}.json"] = d["template"]
    for rg in sorted(groups, key=str.lower):
        shows.setdefault(rg, [])
        files[f"az-resource-list-{rg}.json"] = [
            {k: s[k] for k in ("id", "name", "type", "location", "tags", "kind", "sku", "resourceGroup") if k in s}
            for s in shows[rg]]
        for i, s in enumerate(shows[rg]):
            files["az-resource-show-%s-%03d.json" % (rg, i)] = s
    return files


def manifest(files):
    sub = f"/subscriptions/{SUB}"
    listings = [
        ("az-group-list.json", "az group list", sub, ["Microsoft.Resources/resourceGroups"], False),
        ("az-deployment-sub-list.json", "az deployment sub list", sub, ["Microsoft.Resources/deployments"], False),
        ("az-policy-assignment-list.json", "az policy assignment list", sub,
         ["Microsoft.Authorization/policyAssignments"], False),
        ("az-role-assignment-list.json", "az role assignment list --all", sub,
         ["Microsoft.Authorization/roleAssignments"], True),
        ("az-lock-list.json", "az lock list", sub, ["Microsoft.Authorization/locks"], True),
        ("az-security-pricing-list.json", "az security pricing list", sub, ["Microsoft.Security/pricings"], False),
        ("az-diagnostic-settings-subscription.json", "az monitor diagnostic-settings subscription list", sub,
         ["Microsoft.Insights/diagnosticSettings"], False),
    ]
    for g in files["az-group-list.json"]:  # in the order az group list prints them
        rg = g["name"]
        listings.append((f"az-resource-list-{rg}.json", f"az resource list --resource-group {rg}", rg_id(rg),
                         ["*"], False))
        listings.append((f"az-deployment-group-list-{rg}.json", f"az deployment group list --resource-group {rg}",
                         rg_id(rg), ["Microsoft.Resources/deployments"], False))
    return {"format": "hinagata-collect/1", "collector": "hinagata-collect-azure", "subscription": SUB,
            "listings": [dict({"file": f, "command": c, "scope": s, "types": t}, **({"subtree": True} if sub_ else {}))
                         for f, c, s, t, sub_ in listings]}


def write(dirname, files):
    os.makedirs(dirname, exist_ok=True)
    for f in os.listdir(dirname):
        if f.endswith(".json"):
            os.remove(os.path.join(dirname, f))
    files = dict(files)
    files["hinagata-collect.json"] = manifest(files)
    for name, obj in files.items():
        with open(os.path.join(dirname, name), "w") as f:
            # az prints most outputs as they are, but deployment export with Python's
            # json.dumps(indent=2), whose ASCII escapes it keeps
            json.dump(obj, f, indent=2, ensure_ascii="-export-" in name)
            f.write("\n")


def main():
    compiled, clean_dir, drift_dir = sys.argv[1:4]
    doc = json.load(open(compiled))
    clean = state(doc)
    write(clean_dir, clean)
    drift = copy.deepcopy(clean)
    rg = "rg-city-b-juki"
    shows = {f: s for f, s in drift.items() if f.startswith(f"az-resource-show-{rg}-")}
    by_name = {s["name"]: s for s in shows.values()}
    # 1. an extra inbound rule on the app subnet's NSG: RDP from the Internet
    nsg = by_name["nsg-juki-app"]
    nsg["properties"]["securityRules"].append({
        "name": "temp-rdp", "id": nsg["id"] + "/securityRules/temp-rdp",
        "properties": {"priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                       "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
                       "destinationAddressPrefix": "*", "destinationPortRange": "3389",
                       "provisioningState": "Succeeded"}})
    # 2. the document storage account opened to public blob access
    by_name["citybjukidocs"]["properties"]["allowBlobPublicAccess"] = True
    # 3. an unmanaged public IP address
    pip = {"id": type_id(rg_id(rg), "Microsoft.Network/publicIPAddresses", ["pip-debug"]), "name": "pip-debug",
           "type": "Microsoft.Network/publicIPAddresses", "location": LOCATION, "tags": {},
           "resourceGroup": rg, "sku": {"name": "Standard"},
           "properties": {"publicIPAllocationMethod": "Static", "ipAddress": "203.0.113.10",
                          "provisioningState": "Succeeded"}}
    drift[f"az-resource-list-{rg}.json"].append(
        {k: pip[k] for k in ("id", "name", "type", "location", "tags", "sku", "resourceGroup")})
    drift["az-resource-show-%s-%03d.json" % (rg, len(shows))] = pip
    # 4. the policy assignment that keeps resources in Japan removed
    drift["az-policy-assignment-list.json"] = [p for p in drift["az-policy-assignment-list.json"]
                                               if p["name"] != "gc-allowed-locations"]
    # 5. Defender for Servers set to Free
    for p in drift["az-security-pricing-list.json"]["value"]:
        if p["name"] == "VirtualMachines":
            p.update({"pricingTier": "Free", "subPlan": None, "enablementTime": None})
    # 6. Owner of the subscription granted to a guest account outside the templates
    drift["az-role-assignment-list.json"] = [{
        "condition": None, "conditionVersion": None, "createdBy": DEPLOYER, "createdOn": "2026-11-30T23:41:07.000000+00:00",
        "delegatedManagedIdentityResourceId": None, "description": None,
        "id": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/7c1e4b2a-9d3f-4e8a-b5c6-1a2b3c4d5e6f",
        "name": "7c1e4b2a-9d3f-4e8a-b5c6-1a2b3c4d5e6f", "principalId": "e4d3c2b1-a0f9-4e8d-9c7b-6a5f4e3d2c1b",
        "principalName": "vendor-support_example.com#EXT#@cityb.onmicrosoft.com", "principalType": "User",
        "roleDefinitionId": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "roleDefinitionName": "Owner", "scope": f"/subscriptions/{SUB}",
        "type": "Microsoft.Authorization/roleAssignments", "updatedBy": DEPLOYER,
        "updatedOn": "2026-11-30T23:41:07.000000+00:00"}]
    write(drift_dir, drift)


if __name__ == "__main__":
    main()
