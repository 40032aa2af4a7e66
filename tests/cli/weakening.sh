#!/bin/sh
# weakening.sh: every way a system template could weaken a mandatory
# template fails `hinagata compile` and `hinagata check`.
# Usage: weakening.sh HINAGATA SOURCE_DIR
#
# A system template reaches a mandatory one in three ways: it overrides a
# resource's properties (`override:`), it binds its parameters (`with:`),
# and it adds resources of its own that act on the mandatory ones (a second
# bucket policy, a GuardDuty filter, an Azure resource of the same name).
# Each case below is one such path, written into a system template of the
# gc-aws or gc-azure profile, with the diagnostic that must stop it: HG3007
# (a locked setting), HG3100 (a guard rule of the profile), HG2004/HG2005
# (a parameter's constraint). Every case must make both commands exit 1
# with that code; a system template without any case must pass both, so a
# case cannot pass by the skeleton failing (CODE none: a case that must
# pass, because something else closes the path).
#
# Case lines: NAME | CLOUD | CODE | KIND | ALIAS | YAML (one line, flow style)
#   KIND override: ALIAS.RESOURCE gets `properties: YAML`
#   KIND with:     use ALIAS binds YAML (a mapping; for threat and logs, its
#                  members, added to the bindings the skeleton needs)
#   KIND param:    the same, the system declaring `days`, an int parameter
#                  without a floor, that YAML binds (deploy-time values)
#   KIND add:      the system adds resource YAML (a mapping with type:)
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The system template of a cloud, with the overrides, bindings and resources of one case.
system() { # cloud kind alias yaml -> stdout
	cloud=$1 kind=$2 alias=$3 yaml=$4
	ov=""
	wi=""
	res="{}"
	use=${alias%%.*}
	pp=""
	case $kind in
	override) ov="override: { ${alias#*.}: { properties: $yaml } }" ;;
	with) wi=$yaml ;;
	param) # a binding to a parameter of the system that has no floor
		wi=$yaml
		pp="params: { days: { type: int, default: 400 } }" ;;
	add) res="{ added: $yaml }" ;;
	esac
	pick() { [ "$use" = "$1" ] && [ -n "$2" ] && echo ", $2" || true; }
	if [ "$cloud" = aws ]; then
		cat <<EOF
hinagata: 1
template: city-w/system
version: 0.1.0
target: aws
profile: gc-aws
$pp
use:
  audit: { template: gc/aws/audit-trail $(pick audit "$ov") $( [ "$use" = audit ] && [ -n "$wi" ] && echo ", with: $wi") }
  config: { template: gc/aws/config-recorder $(pick config "$ov") $( [ "$use" = config ] && [ -n "$wi" ] && echo ", with: $wi") }
  threat: { template: gc/aws/threat-detection $(pick threat "$ov"),
            with: { security_email: security@city-w.example.lg.jp $( [ "$use" = threat ] && [ -n "$wi" ] && echo ", $wi") } }
resources: $res
EOF
	else
		cat <<EOF
hinagata: 1
template: city-w/system
version: 0.1.0
target: azure
scope: subscription
profile: gc-azure
$pp
use:
  policy: { template: gc/azure/policy-baseline $(pick policy "$ov") }
  defender: { template: gc/azure/defender $(pick defender "$ov") }
  logs: { template: gc/azure/log-workspace, resource_group: rg-city-w $(pick logs "$ov"),
          with: { prefix: cityw, security_email: security@city-w.example.lg.jp $( [ "$use" = logs ] && [ -n "$wi" ] && echo ", $wi") } }
  activity: { template: gc/azure/activity-log, with: { workspace_id: "\${logs.workspace_id}" } $(pick activity "$ov") }
resources: $res
EOF
	fi
}

fail=0
n=0
run_case() { # name cloud code kind alias yaml
	name=$1 cloud=$2 code=$3
	d=$work/$name
	mkdir -p "$d"
	system "$cloud" "$4" "$5" "$6" >"$d/system.yaml"
	set +e
	(cd "$d" && LC_ALL=C NO_COLOR=1 HINAGATA_PATH= "$hinagata" --lang en compile -o out system.yaml) >/dev/null 2>"$d/compile.err"
	rc1=$?
	(cd "$d" && rm -rf out && LC_ALL=C NO_COLOR=1 HINAGATA_PATH= "$hinagata" --lang en check .) >/dev/null 2>"$d/check.err"
	rc2=$?
	set -e
	if [ "$code" = none ]; then
		if [ $rc1 != 0 ] || [ $rc2 != 0 ]; then
			echo "FAIL: $name: the skeleton itself fails (compile $rc1, check $rc2):"
			cat "$d/compile.err" "$d/check.err"
			fail=1
		fi
		return
	fi
	n=$((n + 1))
	if [ $rc1 != 1 ] || ! grep -q "\[$code\]" "$d/compile.err"; then
		echo "FAIL: $name: compile exit $rc1, wanted 1 with $code:"
		sed 's/^/    /' "$d/compile.err" | head -n 12
		fail=1
	fi
	if [ $rc2 != 1 ] || ! grep -q "\[$code\]" "$d/check.err"; then
		echo "FAIL: $name: check exit $rc2, wanted 1 with $code"
		fail=1
	fi
}

run_case aws-clean aws none none none "{}"
run_case azure-clean azure none none none "{}"

while IFS='|' read -r name cloud code kind alias yaml; do
	case $name in '' | '#'*) continue ;; esac
	name=$(echo "$name" | tr -d ' ')
	run_case "$name" "$(echo "$cloud" | tr -d ' ')" "$(echo "$code" | tr -d ' ')" \
		"$(echo "$kind" | tr -d ' ')" "$(echo "$alias" | tr -d ' ')" "$yaml"
done <<'CASES'
# gc/aws/audit-trail
audit-log-expires-in-a-day      | aws | HG3100 | override | audit.log_bucket | { LifecycleConfiguration: { Rules: [{ Id: purge, Status: Enabled, ExpirationInDays: 1 }] } }
audit-log-old-versions-purged   | aws | HG3100 | override | audit.log_bucket | { LifecycleConfiguration: { Rules: [{ Id: purge, Status: Enabled, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }] } }
audit-log-old-versions-in-days  | aws | HG3100 | override | audit.log_bucket | { LifecycleConfiguration: { Rules: [{ Id: purge, Status: Enabled, NoncurrentVersionExpirationInDays: 1 }] } }
audit-log-expires-on-a-date     | aws | HG3100 | override | audit.log_bucket | { LifecycleConfiguration: { Rules: [{ Id: purge, Status: Enabled, ExpirationDate: "2027-01-01T00:00:00Z" }] } }
audit-log-unversioned           | aws | HG3007 | override | audit.log_bucket | { VersioningConfiguration: { Status: Suspended } }
audit-log-public-policy         | aws | HG3007 | override | audit.log_bucket | { PublicAccessBlockConfiguration: { BlockPublicPolicy: false } }
audit-log-unencrypted           | aws | HG3007 | override | audit.log_bucket | { BucketEncryption: null }
audit-log-no-access-logging     | aws | HG3007 | override | audit.log_bucket | { LoggingConfiguration: null }
audit-log-acls-enabled          | aws | HG3007 | override | audit.log_bucket | { OwnershipControls: { Rules: [{ ObjectOwnership: ObjectWriter }] } }
audit-access-logs-expire        | aws | HG3100 | override | audit.access_log_bucket | { LifecycleConfiguration: { Rules: [{ Id: purge, Status: Enabled, ExpirationInDays: 7 }] } }
audit-access-logs-unversioned   | aws | HG3007 | override | audit.access_log_bucket | { VersioningConfiguration: { Status: Suspended } }
audit-access-log-policy         | aws | HG3007 | override | audit.access_log_bucket_policy | { PolicyDocument: { Statement: [] } }
audit-log-policy-no-deny        | aws | HG3007 | override | audit.log_bucket_policy | { PolicyDocument: { Version: "2012-10-17", Statement: [] } }
audit-key-policy-opened         | aws | HG3007 | override | audit.trail_key | { KeyPolicy: { Statement: [{ Effect: Allow, Principal: "*", Action: "kms:*", Resource: "*" }] } }
audit-key-disabled              | aws | HG3100 | override | audit.trail_key | { Enabled: false }
audit-key-not-rotated           | aws | HG3007 | override | audit.trail_key | { EnableKeyRotation: false }
audit-log-group-one-day         | aws | HG3100 | override | audit.trail_log_group | { RetentionInDays: 1 }
audit-log-group-infrequent      | aws | HG3100 | override | audit.trail_log_group | { LogGroupClass: INFREQUENT_ACCESS }
audit-log-group-unencrypted     | aws | HG3007 | override | audit.trail_log_group | { KmsKeyId: null }
audit-delivery-role-emptied     | aws | HG3007 | override | audit.trail_logs_role | { Policies: [] }
audit-trail-elsewhere           | aws | HG3007 | override | audit.trail | { S3BucketName: another-bucket }
audit-trail-key-prefix          | aws | HG3100 | override | audit.trail | { S3KeyPrefix: elsewhere }
audit-trail-stopped             | aws | HG3007 | override | audit.trail | { IsLogging: false }
audit-trail-one-region          | aws | HG3007 | override | audit.trail | { IsMultiRegionTrail: false }
audit-trail-not-validated       | aws | HG3007 | override | audit.trail | { EnableLogFileValidation: false }
audit-trail-writes-only         | aws | HG3007 | override | audit.trail | { EventSelectors: [{ ReadWriteType: WriteOnly, IncludeManagementEvents: true }] }
audit-trail-no-cloudwatch       | aws | HG3007 | override | audit.trail | { CloudWatchLogsLogGroupArn: null }
audit-retention-param           | aws | HG2005 | with     | audit | { retention_days: 1 }
audit-log-group-param           | aws | HG2004 | with     | audit | { log_group_retention_days: 1 }
audit-retention-unbounded-param | aws | HG3100 | param    | audit | { retention_days: "${params.days}" }
audit-second-bucket-policy      | aws | HG3100 | add      | audit | { type: "AWS::S3::BucketPolicy", properties: { Bucket: "${audit.log_bucket_name}", PolicyDocument: { Statement: [{ Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*" }] } } }
audit-access-point              | aws | HG3100 | add      | audit | { type: "AWS::S3::AccessPoint", properties: { Bucket: "${audit.log_bucket_name}" } }
# gc/aws/config-recorder
config-history-expires          | aws | HG3100 | override | config.config_bucket | { LifecycleConfiguration: { Rules: [{ Id: purge, Status: Enabled, ExpirationInDays: 30 }] } }
config-bucket-public            | aws | HG3007 | override | config.config_bucket | { PublicAccessBlockConfiguration: { RestrictPublicBuckets: false } }
config-bucket-policy            | aws | HG3007 | override | config.config_bucket_policy | { PolicyDocument: { Statement: [] } }
config-records-some             | aws | HG3007 | override | config.recorder | { RecordingGroup: { AllSupported: false, ResourceTypes: ["AWS::S3::Bucket"] } }
config-records-daily            | aws | HG3100 | override | config.recorder | { RecordingMode: { RecordingFrequency: DAILY } }
config-recorder-role            | aws | HG3007 | override | config.recorder | { RoleARN: "arn:aws:iam::123456789012:role/other" }
config-role-emptied             | aws | HG3007 | override | config.config_role | { ManagedPolicyArns: [] }
config-delivered-elsewhere      | aws | HG3007 | override | config.delivery_channel | { S3BucketName: another-bucket }
config-delivery-prefix          | aws | HG3100 | override | config.delivery_channel | { S3KeyPrefix: elsewhere }
config-drift-rule-scoped        | aws | HG3100 | override | config.stack_drift_rule | { Scope: { ComplianceResourceTypes: ["AWS::S3::Bucket"] } }
config-drift-rule-source        | aws | HG3007 | override | config.stack_drift_rule | { Source: { Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED } }
config-drift-role-emptied       | aws | HG3007 | override | config.drift_role | { Policies: [] }
config-retention-param          | aws | HG2005 | with     | config | { retention_days: 30 }
config-retention-unbounded-param | aws | HG3100 | param   | config | { retention_days: "${params.days}" }
config-second-bucket-policy     | aws | HG3100 | add      | config | { type: "AWS::S3::BucketPolicy", properties: { Bucket: "${config.config_bucket_name}", PolicyDocument: { Statement: [{ Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*" }] } } }
# gc/aws/threat-detection
threat-guardduty-off            | aws | HG3007 | override | threat.detector | { Enable: false }
threat-guardduty-feature-off    | aws | HG3100 | override | threat.detector | { Features: [{ Name: S3_DATA_EVENTS, Status: DISABLED }] }
threat-guardduty-s3-logs-off    | aws | HG3100 | override | threat.detector | { DataSources: { S3Logs: { Enable: false } } }
threat-guardduty-eks-off        | aws | HG3100 | override | threat.detector | { DataSources: { Kubernetes: { AuditLogs: { Enable: false } } } }
threat-guardduty-malware-off    | aws | HG3100 | override | threat.detector | { DataSources: { MalwareProtection: { ScanEc2InstanceWithFindings: { EbsVolumes: false } } } }
threat-hub-no-new-controls      | aws | HG3007 | override | threat.hub | { AutoEnableControls: false }
threat-hub-default-standards    | aws | HG3007 | override | threat.hub | { EnableDefaultStandards: true }
threat-standard-controls-off    | aws | HG3100 | override | threat.fsbp_standard | { DisabledStandardsControls: [{ StandardsControlArn: "arn:aws:securityhub:ap-northeast-1:123456789012:control/aws-foundational-security-best-practices/v/1.0.0/S3.1" }] }
threat-standard-replaced        | aws | HG3007 | override | threat.cis_standard | { StandardsArn: "arn:aws:securityhub:ap-northeast-1::standards/pci-dss/v/3.2.1" }
threat-topic-unencrypted        | aws | HG3007 | override | threat.alert_topic | { KmsMasterKeyId: null }
threat-key-policy               | aws | HG3007 | override | threat.alert_key | { KeyPolicy: { Statement: [] } }
threat-key-disabled             | aws | HG3100 | override | threat.alert_key | { Enabled: false }
threat-topic-policy             | aws | HG3007 | override | threat.alert_topic_policy | { PolicyDocument: { Statement: [] } }
threat-subscription-filtered    | aws | HG3100 | override | threat.alert_subscription | { FilterPolicy: { severity: [LOW] } }
threat-subscription-protocol    | aws | HG3007 | override | threat.alert_subscription | { Protocol: sqs }
threat-findings-rule-disabled   | aws | HG3007 | override | threat.guardduty_findings_rule | { State: DISABLED }
threat-findings-rule-narrowed   | aws | HG3007 | override | threat.guardduty_findings_rule | { EventPattern: { source: [aws.guardduty], detail: { severity: [{ numeric: [">=", 9] }] } } }
threat-hub-rule-disabled        | aws | HG3007 | override | threat.securityhub_findings_rule | { State: DISABLED }
threat-hub-rule-retargeted      | aws | HG3007 | override | threat.securityhub_findings_rule | { Targets: [] }
threat-frequency-param          | aws | HG2004 | with     | threat | finding_frequency: ONE_DAY
threat-guardduty-filter         | aws | HG3100 | add      | threat | { type: "AWS::GuardDuty::Filter", properties: { DetectorId: "${threat.detector_id}", Name: hide, Action: ARCHIVE, Rank: 1, FindingCriteria: { Criterion: { severity: { Gte: 0 } } } } }
threat-guardduty-trusted-ips    | aws | HG3100 | add      | threat | { type: "AWS::GuardDuty::IPSet", properties: { DetectorId: "${threat.detector_id}", Activate: true, Format: TXT, Location: "https://example.invalid/ips.txt" } }
threat-second-topic-policy      | aws | HG3100 | add      | threat | { type: "AWS::SNS::TopicPolicy", properties: { Topics: ["${threat.alert_topic_arn}"], PolicyDocument: { Statement: [{ Effect: Deny, Principal: "*", Action: "sns:Publish", Resource: "*" }] } } }
threat-findings-suppressed      | aws | HG3100 | add      | threat | { type: "AWS::SecurityHub::AutomationRule", properties: { RuleName: quiet, RuleOrder: 1, Description: quiet, Criteria: { SeverityLabel: [{ Comparison: EQUALS, Value: CRITICAL }] }, Actions: [{ Type: FINDING_FIELDS_UPDATE, FindingFieldsUpdate: { Workflow: { Status: SUPPRESSED } } }] } }
# gc/azure/policy-baseline
policy-location-scoped-out      | azure | HG3100 | override | policy.allowed_locations | { properties: { notScopes: ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-free"] } }
policy-location-effect-overridden | azure | HG3100 | override | policy.allowed_locations | { properties: { overrides: [{ kind: policyEffect, value: Disabled }] } }
policy-location-selected        | azure | HG3100 | override | policy.allowed_locations | { properties: { resourceSelectors: [{ name: few, selectors: [{ kind: resourceLocation, in: [japaneast] }] }] } }
policy-location-widened         | azure | HG3007 | override | policy.allowed_locations | { properties: { parameters: { listOfAllowedLocations: { value: [japaneast, japanwest, eastus] } } } }
policy-not-enforced             | azure | HG3007 | override | policy.subnets_need_nsg | { properties: { enforcementMode: DoNotEnforce } }
policy-definition-swapped       | azure | HG3007 | override | policy.storage_https_only | { properties: { policyDefinitionId: /providers/Microsoft.Authorization/policyDefinitions/00000000-0000-0000-0000-000000000000 } }
policy-log-deletion-allowed     | azure | HG3007 | override | policy.protect_diagnostic_settings | { properties: { parameters: { listOfResourceTypesDisallowedForDeletion: { value: [] } } } }
policy-same-name-assignment     | azure | HG3100 | add      | policy | { type: Microsoft.Authorization/policyAssignments@2024-04-01, properties: { name: gc-allowed-locations, properties: { policyDefinitionId: /providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c, parameters: { listOfAllowedLocations: { value: [eastus] } } } } }
policy-exemption                | azure | HG3100 | add      | policy | { type: Microsoft.Authorization/policyExemptions@2022-07-01-preview, properties: { name: skip-locations, properties: { policyAssignmentId: "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/policyAssignments/gc-allowed-locations", exemptionCategory: Waiver } } }
# gc/azure/defender
defender-servers-free           | azure | HG3007 | override | defender.servers | { properties: { pricingTier: Free } }
defender-servers-plan-1         | azure | HG3007 | override | defender.servers | { properties: { subPlan: P1 } }
defender-plan-moved             | azure | HG3007 | override | defender.servers | { name: Dns }
defender-same-name-free         | azure | HG3100 | add      | defender | { type: Microsoft.Security/pricings@2024-01-01, properties: { name: VirtualMachines, properties: { pricingTier: Free } } }
# gc/azure/log-workspace
logs-workspace-30-days          | azure | HG3100 | override | logs.workspace | { properties: { retentionInDays: 30 } }
logs-retention-param            | azure | HG2005 | with     | logs | retention_days: 30
# not a path: the nested deployment's parameter keeps minValue 90, which ARM enforces at deploy time
logs-retention-unbounded-param  | azure | none   | param    | logs | retention_days: "${params.days}"
logs-lock-elsewhere             | azure | HG3007 | override | logs.workspace_lock | { scope: /subscriptions/00000000-0000-0000-0000-000000000000 }
logs-lock-read-only             | azure | HG3007 | override | logs.workspace_lock | { properties: { level: ReadOnly } }
logs-archive-public             | azure | HG3007 | override | logs.archive | { properties: { allowBlobPublicAccess: true } }
logs-archive-shared-keys        | azure | HG3007 | override | logs.archive | { properties: { allowSharedKeyAccess: true } }
logs-archive-old-tls            | azure | HG3007 | override | logs.archive | { properties: { minimumTlsVersion: TLS1_0 } }
logs-alerts-nobody              | azure | HG3100 | override | logs.alerts | { properties: { emailReceivers: [] } }
logs-alerts-disabled            | azure | HG3007 | override | logs.alerts | { properties: { enabled: false } }
# gc/azure/activity-log
activity-categories-dropped     | azure | HG3007 | override | activity.activity_log | { properties: { logs: [{ category: Administrative, enabled: true }] } }
activity-same-name-setting      | azure | HG3100 | add      | activity | { type: Microsoft.Insights/diagnosticSettings@2021-05-01-preview, properties: { name: gc-activity-log, properties: { workspaceId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other/providers/Microsoft.OperationalInsights/workspaces/other, logs: [] } } }
CASES

[ $fail = 0 ] && echo "$n weakening paths of the mandatory templates fail compile and check"
exit $fail
