/*
 * test_rules.c: hand-written templates read as deployment sees them (raw.c)
 * and the rule engine's scenarios (rules.c): parameter defaults, allowed
 * values, unconstrained parameters, both branches of a condition,
 * conditional resources, computed strings, ARM expressions, and templates
 * that would loop or nest without end.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "compiler/compiler.h"

static hg_diags d;
static hg_checker *ck;

static void setup(void)
{
	hg_compile_options o = HG_COMPILE_OPTIONS_INIT;
	hg_diags_init(&d);
	o.bundled_dir = HG_SOURCE_DIR "/templates";
	o.schema_dir = HG_SOURCE_DIR "/schemas";
	ck = hg_checker_new(&o);
}

static void teardown(void)
{
	hg_checker_free(ck);
	hg_diags_dispose(&d);
}

TestSuite(rules, .init = setup, .fini = teardown);

static void check(const char *text)
{
	bool recognized = false;
	hg_checker_check(ck, "t.yaml", text, strlen(text), &d, &recognized);
	cr_assert(recognized);
}

/* The number of diagnostics with this code (and control, if not NULL). */
static size_t count(hg_diag_code code, const char *control)
{
	size_t i, n = 0;
	for (i = 0; i < d.n; i++)
		if (d.items[i]->code == code &&
		        (!control ||
		                (d.items[i]->args[0] && strcmp(d.items[i]->args[0], control) == 0)))
			n++;
	return n;
}

/* The first diagnostic with this code, or NULL. */
static const hg_diag *first(hg_diag_code code)
{
	size_t i;
	for (i = 0; i < d.n; i++)
		if (d.items[i]->code == code)
			return d.items[i];
	return NULL;
}

#define HEAD "AWSTemplateFormatVersion: '2010-09-09'\n"

/* A security group opening SSH to cidr, after the given Parameters section. */
static void sg_with(const char *params, const char *cidr)
{
	char buf[2048];
	snprintf(buf, sizeof(buf),
	        HEAD "%sResources:\n"
	             "  Sg:\n"
	             "    Type: AWS::EC2::SecurityGroup\n"
	             "    Properties:\n"
	             "      GroupDescription: x\n"
	             "      SecurityGroupIngress:\n"
	             "        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: %s }\n",
	        params, cidr);
	check(buf);
}

Test(rules, a_default_that_breaks_a_rule_is_an_error_at_the_property_with_a_note)
{
	const hg_diag *dg;
	sg_with("Parameters:\n  Src: { Type: String, Default: 0.0.0.0/0 }\n", "!Ref Src");
	dg = first(HG_D_RULE_VIOLATION);
	cr_assert_not_null(dg);
	cr_assert_str_eq(dg->args[0], "GC-AWS-NET-02");
	cr_assert_eq(dg->span.line, 10);
	cr_assert_eq(dg->span.col, 64);
	cr_assert_eq(dg->nnotes, 1);
	cr_assert_eq(dg->notes[0].code, HG_D_N_PARAM_DEFAULT);
	cr_assert_eq(dg->notes[0].span.line, 3);
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, NULL), 0, "the default's finding is not repeated");
}

Test(rules, another_allowed_value_that_breaks_a_rule_is_a_warning_naming_the_parameter)
{
	const hg_diag *dg;
	sg_with("Parameters:\n  Src: { Type: String, Default: 10.0.0.0/8, AllowedValues: "
	        "[10.0.0.0/8, "
	        "0.0.0.0/0] }\n",
	        "!Ref Src");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, NULL), 0);
	dg = first(HG_D_RULE_POSSIBLE);
	cr_assert_not_null(dg);
	cr_assert(strstr(dg->args[2], "parameter 'Src' is '0.0.0.0/0'"), "%s", dg->args[2]);
	cr_assert_eq(d.nerrors, 0, "a warning does not fail the check");
}

Test(rules, a_parameter_without_allowed_values_is_tried_with_a_value_that_breaks_the_rule)
{
	sg_with("Parameters:\n  Src: { Type: String, Default: 10.0.0.0/8 }\n", "!Ref Src");
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, "GC-AWS-NET-02"), 1);
}

Test(rules, a_pattern_that_rules_the_internet_out_keeps_the_parameter_quiet)
{
	sg_with("Parameters:\n  Src: { Type: String, Default: 10.0.0.0/8, AllowedPattern: "
	        "'10\\.\\d+\\.\\d+\\.\\d+/\\d+' }\n",
	        "!Ref Src");
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, NULL), 0);
	cr_assert_eq(count(HG_D_RULE_VIOLATION, NULL), 0);
}

Test(rules, an_aws_specific_parameter_type_is_not_a_value)
{
	sg_with("Parameters:\n  Src: { Type: 'AWS::EC2::PrefixList::Id' }\n", "!Ref Src");
	cr_assert_eq(d.n, 0);
}

Test(rules, both_branches_of_a_condition_are_followed)
{
	check(HEAD
	        "Parameters:\n  Env: { Type: String, Default: dev, AllowedValues: [prod, dev] }\n"
	        "Conditions:\n  Prod: !Equals [!Ref Env, prod]\n"
	        "Resources:\n"
	        "  V:\n    Type: AWS::EC2::Volume\n    Properties:\n"
	        "      AvailabilityZone: a\n      Size: 1\n"
	        "      Encrypted: !If [Prod, true, false]\n");
	/* dev by default: the false branch deploys (error); prod is fine */
	cr_assert_eq(count(HG_D_RULE_VIOLATION, "GC-AWS-ENC-01"), 1);
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, NULL), 0);
}

Test(rules, a_resource_off_by_default_is_a_warning)
{
	check(HEAD "Parameters:\n  Debug: { Type: String, Default: 'no', AllowedValues: ['yes', "
	           "'no'] }\n"
	           "Conditions:\n  On: !Equals [!Ref Debug, 'yes']\n"
	           "Resources:\n"
	           "  Gw:\n    Type: AWS::EC2::InternetGateway\n    Condition: On\n");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, NULL), 0);
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, "GC-AWS-NET-01"), 1);
}

Test(rules, sub_and_join_are_evaluated_with_the_defaults)
{
	sg_with("Parameters:\n  Net: { Type: String, Default: 0.0.0.0 }\n", "!Sub '${Net}/0'");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, "GC-AWS-NET-02"), 1);
}

Test(rules, find_in_map_with_a_parameter_key_is_a_choice_per_key)
{
	check(HEAD
	        "Parameters:\n  Env: { Type: String, Default: prod, AllowedValues: [prod, dev] }\n"
	        "Mappings:\n  Net:\n    prod: { Admin: 10.0.0.0/8 }\n    dev: { Admin: 0.0.0.0/0 "
	        "}\n"
	        "Resources:\n"
	        "  Sg:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n"
	        "      GroupId: sg-1\n      IpProtocol: tcp\n      FromPort: 3389\n      ToPort: "
	        "3389\n"
	        "      CidrIp: !FindInMap [Net, !Ref Env, Admin]\n");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, NULL), 0);
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, "GC-AWS-NET-02"), 1);
}

Test(rules, no_value_removes_the_property)
{
	check(HEAD
	        "Resources:\n  V:\n    Type: AWS::EC2::Volume\n    Properties:\n"
	        "      AvailabilityZone: a\n      Size: 1\n      Encrypted: !Ref AWS::NoValue\n");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, "GC-AWS-ENC-01"), 1);
}

Test(rules, conditions_that_refer_to_each_other_end)
{
	check(HEAD "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n"
	           "Resources:\n  V:\n    Type: AWS::EC2::Volume\n    Properties:\n"
	           "      AvailabilityZone: a\n      Size: 1\n      Encrypted: !If [A, true, "
	           "false]\n");
	/* neither is known: each branch is tried */
	cr_assert_eq(count(HG_D_RULE_VIOLATION, NULL), 0);
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, "GC-AWS-ENC-01"), 1);
}

Test(rules, deeply_nested_conditions_are_bounded)
{
	hg_buf b = HG_BUF_INIT;
	int i;
	hg_buf_puts(&b, HEAD "Conditions:\n  C: !Equals [a, a]\nResources:\n  V:\n"
	                     "    Type: AWS::EC2::Volume\n    Properties:\n"
	                     "      AvailabilityZone: a\n      Size: 1\n      Encrypted: ");
	for (i = 0; i < 150; i++)
		hg_buf_puts(&b, "{ 'Fn::If': [C, ");
	hg_buf_puts(&b, "false");
	for (i = 0; i < 150; i++)
		hg_buf_puts(&b, ", true] }");
	hg_buf_puts(&b, "\n");
	check(b.ptr);
	hg_buf_dispose(&b);
	cr_assert(d.n >= 1);
}

#define ARM                                                                                        \
	"{ \"$schema\": "                                                                          \
	"\"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", "

Test(rules, arm_parameters_variables_and_if)
{
	check(ARM "\"parameters\": { \"loc\": { \"type\": \"string\", \"defaultValue\": "
	          "\"japaneast\", "
	          "\"allowedValues\": [\"japaneast\", \"westus\"] }, "
	          "\"primary\": { \"type\": \"bool\", \"defaultValue\": true } },"
	          "\"variables\": { \"where\": \"[if(parameters('primary'), parameters('loc'), "
	          "'eastus')]\" },"
	          "\"resources\": [ { \"type\": \"Microsoft.Network/virtualNetworks\", "
	          "\"apiVersion\": "
	          "\"2023-11-01\", \"name\": \"[concat('v', 'net')]\", \"location\": "
	          "\"[variables('where')]\" } ] }");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, NULL), 0);
	/* loc = westus, and primary = false (eastus) */
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, "GC-AZ-REG-01"), 1, "one finding at one property");
}

Test(rules, arm_symbolic_names_and_existing_resources)
{
	check(ARM "\"languageVersion\": \"2.0\", \"resources\": { "
	          "\"old\": { \"existing\": true, \"type\": \"Microsoft.Network/virtualNetworks\", "
	          "\"apiVersion\": \"2023-11-01\", \"name\": \"x\", \"location\": \"eastus\" }, "
	          "\"new\": { \"type\": \"Microsoft.Network/virtualNetworks\", \"apiVersion\": "
	          "\"2023-11-01\", \"name\": \"y\", \"location\": \"westus\" } } }");
	cr_assert_eq(
	        count(HG_D_RULE_VIOLATION, "GC-AZ-REG-01"), 1, "the existing one is not deployed");
}

Test(rules, arm_variables_that_refer_to_themselves_end)
{
	check(ARM "\"variables\": { \"a\": \"[variables('b')]\", \"b\": \"[variables('a')]\" }, "
	          "\"resources\": [ { \"type\": \"Microsoft.Network/virtualNetworks\", "
	          "\"apiVersion\": "
	          "\"2023-11-01\", \"name\": \"v\", \"location\": \"[variables('a')]\" } ] }");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, NULL), 0);
}

Test(rules, malformed_arm_expressions_are_opaque)
{
	check(ARM "\"resources\": [ { \"type\": \"Microsoft.Network/virtualNetworks\", "
	          "\"apiVersion\": "
	          "\"2023-11-01\", \"name\": \"v\", \"location\": \"[parameters('x']\" }, "
	          "{ \"type\": \"Microsoft.Network/virtualNetworks\", \"apiVersion\": "
	          "\"2023-11-01\", "
	          "\"name\": \"w\", \"location\": \"[format('{9}{0', 'a')]\" } ] }");
	cr_assert_eq(d.n, 0);
}

Test(rules, an_arm_resource_without_a_type_keeps_its_children_out)
{
	/* found by fuzz_check: children of a resource add() passed by were read */
	check(ARM
	        "\"resources\": [ { \"name\": \"v\", \"resources\": [ { \"type\": \"subnets\", "
	        "\"name\": \"s\", \"properties\": {} } ] }, { \"type\": "
	        "\"Microsoft.Network/virtualNetworks\", \"apiVersion\": \"2023-11-01\", \"name\": "
	        "\"w\", \"location\": \"eastus\" } ] }");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, "GC-AZ-REG-01"), 1);
}

Test(rules, an_inline_nested_deployment_is_read_with_the_values_passed_to_it)
{
	const hg_diag *dg;
	check(ARM
	        "\"parameters\": { \"where\": { \"type\": \"string\", \"defaultValue\": \"westus\" "
	        "} }, "
	        "\"resources\": [ { \"type\": \"Microsoft.Resources/deployments\", \"apiVersion\": "
	        "\"2022-09-01\", \"name\": \"m\", \"properties\": { "
	        "\"expressionEvaluationOptions\": "
	        "{ \"scope\": \"inner\" }, \"parameters\": { \"loc\": { \"value\": "
	        "\"[parameters('where')]\" } }, \"template\": { \"parameters\": { \"loc\": { "
	        "\"type\": "
	        "\"string\", \"defaultValue\": \"japaneast\" } }, \"resources\": [ { \"type\": "
	        "\"Microsoft.Network/virtualNetworks\", \"apiVersion\": \"2023-11-01\", \"name\": "
	        "\"v\", \"location\": \"[parameters('loc')]\" } ] } } } ] }");
	dg = first(HG_D_RULE_VIOLATION);
	cr_assert_not_null(dg, "westus passed in, not the inner default");
	cr_assert_eq(dg->nnotes, 1);
	cr_assert_str_eq(dg->notes[0].args[0], "where");
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, NULL), 0, "reported once, as deployed");
}

Test(rules, arm_property_loops_are_read_as_their_input)
{
	check(ARM "\"resources\": [ { \"type\": \"Microsoft.Network/networkSecurityGroups\", "
	          "\"apiVersion\": \"2023-11-01\", \"name\": \"nsg\", \"location\": \"japaneast\", "
	          "\"properties\": { \"copy\": [ { \"name\": \"securityRules\", \"count\": 3, "
	          "\"input\": { \"name\": \"[concat('r', copyIndex('securityRules'))]\", "
	          "\"properties\": { \"direction\": \"Inbound\", \"access\": \"Allow\", "
	          "\"sourceAddressPrefix\": \"Internet\", \"destinationPortRange\": \"3389\" } } } "
	          "] } } ] }");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, "GC-AZ-NET-02"), 1);
}

Test(rules, properties_written_as_a_whole_if_are_followed_branch_by_branch)
{
	check(HEAD "Parameters:\n  Secure: { Type: String, Default: 'yes', AllowedValues: ['yes', "
	           "'no'] }\n"
	           "Conditions:\n  On: !Equals [!Ref Secure, 'yes']\n"
	           "Resources:\n  V:\n    Type: AWS::EC2::Volume\n    Properties: !If\n      - On\n"
	           "      - { AvailabilityZone: a, Size: 1, Encrypted: true }\n"
	           "      - { AvailabilityZone: a, Size: 1 }\n"
	           "  Imported:\n    Type: AWS::EC2::Volume\n    Properties: !ImportValue props\n");
	cr_assert_eq(count(HG_D_RULE_VIOLATION, NULL), 0, "imported properties are not known");
	cr_assert_eq(count(HG_D_RULE_POSSIBLE, "GC-AWS-ENC-01"), 1);
	cr_assert_eq(d.nerrors, 0);
}
