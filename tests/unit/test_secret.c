/*
 * test_secret.c: secrets found by their shape (common/secret.c), one case
 * per shape with what must be masked and what must stay (hex digests,
 * UUIDs, role IDs, the word "password" in prose).
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "common/secret.h"

/* Criterion may run each case in a fresh process: no pointers in params. */
struct mask_case {
	char in[192], out[192];
};

/* AWS's documented example key pair (IAM user guide), and shapes like them. */
static struct mask_case cases[] = {
        /* access key IDs: long-term and temporary, as whole words */
        {"AKIAIOSFODNN7EXAMPLE", "****"},
        {"id ASIAIOSFODNN7EXAMPLE used", "id **** used"},
        {"XAKIAIOSFODNN7EXAMPLE", "XAKIAIOSFODNN7EXAMPLE"},
        {"AROAJ2UCCR6DPCEXAMPLE", "AROAJ2UCCR6DPCEXAMPLE"}, /* a role ID: not a credential */
        /* secret access keys: 40 base64 characters, mixed */
        {"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "****"},
        {"aws_secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY;", "aws_secret=****;"},
        {"da39a3ee5e6b4b0d3255bfef95601890afd80709", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"5e1f0a40-8b1c-11ef-9c7d-0a1b2c3d4e5f", "5e1f0a40-8b1c-11ef-9c7d-0a1b2c3d4e5f"},
        /* 40 characters of type names in an Azure resource ID: not random, not a key */
        {"/providers/Microsoft.OperationalInsights/workspaces/citybjuki-gc-logs",
                "/providers/Microsoft.OperationalInsights/workspaces/citybjuki-gc-logs"},
        {"Compute/virtualMachineScaleSets/vmss0123", "Compute/virtualMachineScaleSets/vmss0123"},
        /* connection strings */
        {"Server=db;Database=juki;User Id=app;Password=Juki-Passw0rd-2026;",
                "Server=db;Database=juki;User Id=app;Password=****;"},
        {"Host=db;PWD = hunter2", "Host=db;PWD = ****"},
        {"Data Source=x;Password='a;b';Pooling=true", "Data Source=x;Password=****;Pooling=true"},
        {"DefaultEndpointsProtocol=https;AccountName=cityb;AccountKey=bXlrZXk=;EndpointSuffix=core."
         "windows.net",
                "DefaultEndpointsProtocol=https;AccountName=cityb;AccountKey=****;EndpointSuffix="
                "core."
                "windows.net"},
        {"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abc=",
                "Endpoint=sb://ns.servicebus.windows.net/"
                ";SharedAccessKeyName=Root;SharedAccessKey=****"},
        {"\"Server=x;Password=abc\"", "\"Server=x;Password=****\""}, /* inside JSON text */
        {"https://a.blob.core.windows.net/c?sv=2022-11-02&sig=AbC%2Bd&se=2026",
                "https://a.blob.core.windows.net/c?sv=2022-11-02&sig=****&se=2026"},
        /* URLs with a password */
        {"postgres://app:s3cr3t@db.example:5432/juki", "postgres://app:****@db.example:5432/juki"},
        {"https://example.com/a:b@c", "https://example.com/a:b@c"}, /* a path, not credentials */
        /* private key blocks */
        {"k=-----BEGIN RSA PRIVATE KEY-----\\nMIIEow\\n-----END RSA PRIVATE KEY-----\\n",
                "k=****\\n"},
        {"-----BEGIN PRIVATE KEY-----\nMIIE", "****"},
        {"-----BEGIN CERTIFICATE-----\nMIIE", "-----BEGIN CERTIFICATE-----\nMIIE"},
        /* JWTs */
        {"Bearer "
         "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_"
         "XgL0n3I9PlFUP0THsR8U",
                "Bearer ****"},
        /* references in place of values: no secret */
        {"postgresql://juki_admin:${params.master_password}@${db.Endpoint.Address}:5432/juki",
                "postgresql://juki_admin:${params.master_password}@${db.Endpoint.Address}:5432/"
                "juki"},
        {"Server=x;Password={{resolve:secretsmanager:db:SecretString:password}}",
                "Server=x;Password={{resolve:secretsmanager:db:SecretString:password}}"},
        {"Password=[parameters('adminPassword')]", "Password=[parameters('adminPassword')]"},
        /* prose and names: no value, nothing to mask */
        {"the password policy requires 12 characters",
                "the password policy requires 12 characters"},
        {"PasswordLength", "PasswordLength"},
};

ParameterizedTestParameters(secret, masks_by_shape)
{
	return cr_make_param_array(struct mask_case, cases, sizeof(cases) / sizeof(*cases));
}

ParameterizedTest(struct mask_case *c, secret, masks_by_shape)
{
	hg_buf out = HG_BUF_INIT;
	size_t n = hg_secret_mask(&out, c->in, strlen(c->in));
	cr_assert_str_eq(out.ptr, c->out, "%s", c->in);
	cr_assert_eq(n > 0, strcmp(c->in, c->out) != 0);
	cr_assert_eq(hg_secret_in(c->in, strlen(c->in)), n > 0);
	hg_buf_dispose(&out);
}

/* Two shapes overlapping (a key ID inside a field) are one mask. */
Test(secret, overlapping_secrets_are_one_mask)
{
	hg_buf out = HG_BUF_INIT;
	const char *in = "token=AKIAIOSFODNN7EXAMPLE;x=1";
	cr_assert_eq(hg_secret_mask(&out, in, strlen(in)), 1);
	cr_assert_str_eq(out.ptr, "token=****;x=1");
	hg_buf_dispose(&out);
}
