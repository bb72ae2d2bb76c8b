"""The CloudFormation format: one template (``template.yaml``) with parameters for the external ID, the Hub
principal and each bucket name; the buckets carry the CORS configuration (``DeletionPolicy: Retain``, so an
existing bucket can be imported into the stack and is never deleted with it)."""

from __future__ import annotations

import yaml

from .bundle import readme
from .facts import SID, Facts, cors_configuration, permission_policy, trust_policy


def _logical(i: int) -> str:
    return f"Bucket{i + 1}"


def template(facts: Facts) -> dict:
    p = facts.profile
    params: dict = {
        "ExternalId": {
            "Type": "String", "NoEcho": True, "MinLength": p.external_id_min_length,
            "Description": "The external ID of Hub's storage record (the trust policy demands it)",
            "Default": facts.external_id,
        },
        "HubPrincipal": {"Type": "String", "Description": "The principal Hub assumes the role as",
                         "Default": p.trusted_principal},
        "RoleName": {"Type": "String", "Default": facts.role_name},
    }
    resources: dict = {}
    arns: list = []
    cors_rules = [{
        "AllowedHeaders": r["AllowedHeaders"], "AllowedMethods": r["AllowedMethods"],
        "AllowedOrigins": r["AllowedOrigins"], "MaxAge": r["MaxAgeSeconds"],
    } for r in cors_configuration(facts)["CORSRules"]]
    for i, b in enumerate(facts.buckets):
        name = f"{_logical(i)}Name"
        params[name] = {"Type": "String", "Description": f"Bucket {i + 1} Hub reads",
                        "AllowedPattern": "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "Default": b}
        resources[_logical(i)] = {
            "Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {"BucketName": {"Ref": name}, "CorsConfiguration": {"CorsRules": cors_rules}},
        }
        arns += [{"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::${{{name}}}/*"},
                 {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::${{{name}}}"}]
    trust = trust_policy(facts)
    trust["Statement"][0]["Principal"] = {"AWS": {"Ref": "HubPrincipal"}}
    trust["Statement"][0]["Condition"] = {"StringEquals": {p.external_id_key: {"Ref": "ExternalId"}}}
    policy = permission_policy(facts)
    policy["Statement"][0]["Resource"] = arns
    resources["HubReadPolicy"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"Description": f"{SID}: read-only access for Hub", "PolicyDocument": policy},
    }
    resources["HubRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {"RoleName": {"Ref": "RoleName"}, "AssumeRolePolicyDocument": trust,
                       "ManagedPolicyArns": [{"Ref": "HubReadPolicy"}]},
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Hub storage integration {facts.name} (read-only, IAM delegation), written by hubgate generate",
        "Parameters": params,
        "Resources": resources,
        "Outputs": {"RoleArn": {"Description": "The role ARN for Hub's storage record",
                                "Value": {"Fn::GetAtt": ["HubRole", "Arn"]}}},
    }




class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # the buckets' shared CORS rules written out in full, no &anchors
        return True


def render(facts: Facts, out: str = "DIR") -> dict[str, str]:
    text = yaml.dump(template(facts), Dumper=_NoAliases, sort_keys=False, default_flow_style=False, width=120)
    body = (
        f"Deploy with `aws cloudformation deploy --template-file template.yaml --stack-name hub-storage "
        f"--capabilities CAPABILITY_NAMED_IAM --region {facts.region}`; buckets that exist already are brought in "
        "with a resource import (they are kept, never deleted, with the stack). Then add the storage in Hub with the "
        "stack's `RoleArn` output, the external ID and the region. `hubgate check template.yaml --account-id "
        "ACCOUNT` exits 0.\n"
    )
    return {"template.yaml": f"# {facts.command('cloudformation', out)}\n" + text,
            "README.md": readme(facts, "cloudformation", out, body)}
