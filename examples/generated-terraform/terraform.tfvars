buckets     = ["acme-generated-images", "acme-generated-video"]
external_id = "6f0b1d4e-9a7c-4c55-8a6e-2f4f3b9c1d20"
region      = "eu-central-1"
role_name   = "HubStorageReadOnly"
