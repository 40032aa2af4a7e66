#!/usr/bin/env python3
"""make-sample-exports-azure.py: the sample deployed state of city B's network.

Writes what the az CLI prints for a deployed copy of the compiled sample
(build/city-b/juki-network.json), deployed as `juki-network` into the
resource group rg-juki-prod in Japan East, as hinagata-collect-azure saves it:

  az-group-show.json              az group show
  az-deployment-juki-network.json az deployment group show
  az-resource-list.json           az resource list --resource-group
  az-resource-show-NN.json        az resource show --ids ID (one per resource)

into OUT_CLEAN (deployed as written, in the shapes Azure returns: location
"japaneast" for "[resourceGroup().location]", read-only members such as
provisioningState, etag and resourceGuid, child IDs with the resource group
in lower case) and OUT_DRIFT (the same with the injected drifts listed in
samples/city-b/README.md).

Usage: scripts/make-sample-exports-azure.py COMPILED_JSON OUT_CLEAN OUT_DRIFT
"""
import copy
import json
import os
import re
import sys

SUB = "8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f"
RG = "rg-juki-prod"
LOCATION = "japaneast"
DEPLOYMENT = "juki-network"
PARAMS = {"actionGroupId": f"/subscriptions/{SUB}/resourceGroups/rg-security/providers/microsoft.insights/actionGroups/ag-security",
          "addressSpace": "10.30.0.0/16"}


def rid(rtype, *names, rg=RG):
    ns, *types = rtype.split("/")
    out = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/{ns}"
    for t, n in zip(types, names):
        out += f"/{t}/{n}"
    return out


def ev(v):
    """Evaluate the few ARM expressions the sample uses."""
    if isinstance(v, dict):
        return {k: ev(x) for k, x in v.items()}
    if isinstance(v, list):
        return [ev(x) for x in v]
    if not (isinstance(v, str) and v.startswith("[") and v.endswith("]") and not v.startswith("[[")):
        return v
    e = v[1:-1]
    e = e.replace("resourceGroup().location", repr(LOCATION))
    e = e.replace("subscription().subscriptionId", repr(SUB))
    e = re.sub(r"parameters\('(\w+)'\)", lambda m: repr(PARAMS[m.group(1)]), e)
    e = re.sub(r"resourceId\('([^']+)', '([^']+)'\)", lambda m: repr(rid(m.group(1), m.group(2))), e)
    m = re.fullmatch(r"format\('([^']*)', '([^']*)'\)", e)
    if m:
        return m.group(1).replace("{0}", m.group(2))
    m = re.fullmatch(r"'([^']*)'", e)
    if m:
        return m.group(1)
    raise ValueError(v)


def show(res):
    """az resource show: the declared settings plus what Azure adds."""
    rtype, name = res["type"], res["name"]
    out = {"id": rid(rtype, name), "name": name, "type": rtype, "location": ev(res.get("location", LOCATION)),
           "tags": ev(res.get("tags", {})), "resourceGroup": RG}
    for k in ("kind", "sku"):
        if k in res:
            out[k] = ev(res[k])
    props = copy.deepcopy(ev(res.get("properties", {})))
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
                nsg["id"] = nsg["id"].replace("/resourceGroups/" + RG, "/resourcegroups/" + RG.upper())
            sn["properties"]["provisioningState"] = "Succeeded"
        props["enableDdosProtection"] = props.get("enableDdosProtection", False)
    if rtype == "Microsoft.Storage/storageAccounts":
        props["primaryEndpoints"] = {"blob": f"https://{name}.blob.core.windows.net/"}
        props["creationTime"] = "2026-04-01T09:00:00.0000000Z"
    out["properties"] = props
    return out


def main():
    compiled, clean_dir, drift_dir = sys.argv[1:4]
    doc = json.load(open(compiled))
    shows = [show(r) for r in doc["resources"]]
    group = {"id": f"/subscriptions/{SUB}/resourceGroups/{RG}", "location": LOCATION, "managedBy": None,
             "name": RG, "properties": {"provisioningState": "Succeeded"}, "tags": {"system": "juki"},
             "type": "Microsoft.Resources/resourceGroups"}
    deployment = {"id": f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Resources/deployments/{DEPLOYMENT}",
                  "location": None, "name": DEPLOYMENT, "resourceGroup": RG, "type": "Microsoft.Resources/deployments",
                  "properties": {"mode": "Incremental", "provisioningState": "Succeeded",
                                 "timestamp": "2026-04-01T09:00:00.000000+00:00",
                                 "parameters": {k: {"type": "String", "value": v} for k, v in PARAMS.items()},
                                 "outputResources": [{"id": s["id"], "resourceGroup": RG} for s in shows]}}

    def write(dirname, shows):
        os.makedirs(dirname, exist_ok=True)
        for f in os.listdir(dirname):
            if f.endswith(".json"):
                os.remove(os.path.join(dirname, f))

        def dump(name, obj):
            with open(os.path.join(dirname, name), "w") as f:
                json.dump(obj, f, indent=2, ensure_ascii=False)
                f.write("\n")

        dump("az-group-show.json", group)
        dump(f"az-deployment-{DEPLOYMENT}.json", deployment)
        listing = [{k: s[k] for k in ("id", "name", "type", "location", "tags", "kind", "sku", "resourceGroup") if k in s}
                   for s in shows]
        dump("az-resource-list.json", listing)
        for i, s in enumerate(shows):
            dump("az-resource-show-%02d.json" % i, s)

    write(clean_dir, shows)
    drift = copy.deepcopy(shows)
    by_name = {s["name"]: s for s in drift}
    # 1. an extra inbound rule on the app subnet's NSG: RDP from the Internet
    by_name["nsg-juki-app"]["properties"]["securityRules"].append({
        "name": "temp-rdp", "id": by_name["nsg-juki-app"]["id"] + "/securityRules/temp-rdp",
        "properties": {"priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                       "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
                       "destinationAddressPrefix": "*", "destinationPortRange": "3389",
                       "provisioningState": "Succeeded"}})
    # 2. the document storage account opened to public blob access
    by_name["citybjukidocs"]["properties"]["allowBlobPublicAccess"] = True
    # 3. an unmanaged public IP address
    drift.append({"id": rid("Microsoft.Network/publicIPAddresses", "pip-debug"), "name": "pip-debug",
                  "type": "Microsoft.Network/publicIPAddresses", "location": LOCATION, "tags": {},
                  "resourceGroup": RG, "sku": {"name": "Standard"},
                  "properties": {"publicIPAllocationMethod": "Static", "ipAddress": "203.0.113.10",
                                 "provisioningState": "Succeeded"}})
    write(drift_dir, drift)


if __name__ == "__main__":
    main()
