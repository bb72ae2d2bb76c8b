"""The documentation pages the rules enforce, as (title, URL) pairs: a rule's ``references`` names the pages
its check comes from (shown by ``hubgate rules ID`` and in the rule catalogue)."""

from __future__ import annotations

_AWS_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_S3 = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
_GCS = "https://cloud.google.com/storage/docs/"
_GCP_IAM = "https://cloud.google.com/iam/docs/"
_AZ_REST = "https://learn.microsoft.com/rest/api/storageservices/"
_AZ = "https://learn.microsoft.com/azure/storage/"

# Ango Hub
ANGO_AWS = ("Ango Hub: Importing private cloud assets from AWS S3",
            "https://docs.ango.ai/data/importing-assets/importing-private-cloud-assets-aws")
ANGO_GCP = ("Ango Hub: Importing private cloud assets from GCP",
            "https://docs.ango.ai/data/importing-assets/importing-private-cloud-assets-gcp")

# AWS IAM and STS
IAM_ELEMENTS = ("IAM JSON policy element reference", _AWS_IAM + "reference_policies_elements.html")
IAM_VERSION = ("IAM JSON policy elements: Version", _AWS_IAM + "reference_policies_elements_version.html")
IAM_NOTACTION = ("IAM JSON policy elements: NotAction", _AWS_IAM + "reference_policies_elements_notaction.html")
IAM_NOTRESOURCE = ("IAM JSON policy elements: NotResource", _AWS_IAM + "reference_policies_elements_notresource.html")
IAM_RESOURCE = ("IAM JSON policy elements: Resource", _AWS_IAM + "reference_policies_elements_resource.html")
IAM_PRINCIPAL = ("IAM JSON policy elements: Principal", _AWS_IAM + "reference_policies_elements_principal.html")
IAM_CONDITION_OPERATORS = ("IAM JSON policy elements: Condition operators",
                           _AWS_IAM + "reference_policies_elements_condition_operators.html")
IAM_EVALUATION = ("Policy evaluation logic", _AWS_IAM + "reference_policies_evaluation-logic.html")
IAM_ARNS = ("IAM identifiers (ARNs)", _AWS_IAM + "reference_identifiers.html")
IAM_ACCESS_KEYS = ("Manage access keys for IAM users", _AWS_IAM + "id_credentials_access-keys.html")
IAM_THIRD_PARTY = ("Access to AWS accounts owned by third parties (external ID)",
                   _AWS_IAM + "id_roles_common-scenarios_third-party.html")
IAM_CONFUSED_DEPUTY = ("The confused deputy problem", _AWS_IAM + "confused-deputy.html")
IAM_LEAST_PRIVILEGE = ("Security best practices in IAM: apply least-privilege permissions",
                       _AWS_IAM + "best-practices.html")
S3_ACTIONS = ("Actions, resources, and condition keys for Amazon S3",
              "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html")
S3_POLICY_RESOURCES = ("Policy resources for Amazon S3", _S3 + "security_iam_service-with-iam.html")
S3_CORS = ("Using cross-origin resource sharing (CORS)", _S3 + "cors.html")
S3_CORS_CONFIG = ("Elements of a CORS configuration", _S3 + "ManageCorsUsing.html")
S3_VIRTUAL_HOSTING = ("Virtual hosting of buckets", _S3 + "VirtualHosting.html")
S3_OBJECT_KEYS = ("Naming Amazon S3 objects", _S3 + "object-keys.html")
S3_ENDPOINTS = ("Amazon S3 endpoints and quotas", "https://docs.aws.amazon.com/general/latest/gr/s3.html")
RFC3986 = ("RFC 3986: Uniform Resource Identifier (URI), percent-encoding",
           "https://www.rfc-editor.org/rfc/rfc3986#section-2.1")
CFN_INTRINSICS = ("CloudFormation intrinsic function reference",
                  "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html")
TF_JSON = ("Terraform JSON output format", "https://developer.hashicorp.com/terraform/internals/json-format")

# Google Cloud
GCS_IAM_ROLES = ("IAM roles for Cloud Storage", _GCS + "access-control/iam-roles")
GCP_BASIC_ROLES = ("IAM roles overview: basic roles", _GCP_IAM + "roles-overview#basic")
GCS_PUBLIC = ("Making data public (allUsers, allAuthenticatedUsers)", _GCS + "access-control/making-data-public")
GCP_CONDITIONS = ("Overview of IAM Conditions", _GCP_IAM + "conditions-overview")
GCP_RESOURCE_HIERARCHY = ("Using resource hierarchy for access control", _GCP_IAM + "resource-hierarchy-access-control")
GCS_UNIFORM = ("Uniform bucket-level access", _GCS + "uniform-bucket-level-access")
GCS_CORS = ("Cross-origin resource sharing (CORS)", _GCS + "cross-origin")
GCS_USING_CORS = ("Set up and view CORS configurations", _GCS + "using-cors")
GCP_SA_KEYS = ("Create and delete service account keys", _GCP_IAM + "keys-create-delete")
GCP_SERVICE_ACCOUNTS = ("Service accounts overview", _GCP_IAM + "service-account-overview")

# Azure Storage
AZ_SERVICE_SAS = ("Create a service SAS", _AZ_REST + "create-service-sas")
AZ_ACCOUNT_SAS = ("Create an account SAS", _AZ_REST + "create-account-sas")
AZ_SAS_OVERVIEW = ("Grant limited access with shared access signatures (SAS)", _AZ + "common/storage-sas-overview")
AZ_CORS = ("Cross-Origin Resource Sharing (CORS) support for Azure Storage",
           _AZ_REST + "cross-origin-resource-sharing--cors--support-for-the-azure-storage-services")
AZ_ANONYMOUS = ("Configure anonymous read access for containers and blobs", _AZ + "blobs/anonymous-read-access-configure")
AZ_NAMING = ("Naming and referencing containers, blobs, and metadata",
             _AZ_REST + "naming-and-referencing-containers--blobs--and-metadata")
AZ_ACCOUNT_NAME = ("Storage account overview: storage account name", _AZ + "common/storage-account-overview#storage-account-name")
