scoutsuite_results =
{
  "account_id": "210987654321",
  "environment": null,
  "last_run": { "time": "2026-11-20 08:00:00+00:00", "version": "5.14.0", "ruleset_name": "default" },
  "partition": "aws",
  "provider_code": "aws",
  "provider_name": "Amazon Web Services",
  "result_format": "json",
  "services": {
    "s3": {
      "findings": {
        "s3-bucket-world-policy-star": {
          "checked_items": 4, "compliance": [ { "name": "CIS Amazon Web Services Foundations", "reference": "2.1.5", "version": "1.4.0" } ],
          "dashboard_name": "Buckets", "description": "Bucket Policy Allows Public Access", "display_path": "s3.buckets.id",
          "flagged_items": 1, "items": [ "s3.buckets.shop-exports.policy.Statement.0" ], "level": "danger",
          "path": "s3.buckets.id.policy.Statement.id", "rationale": "A bucket policy granting access to everyone exposes its objects.",
          "references": [ "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html" ],
          "remediation": "Remove the Principal \"*\" statement or enable Block Public Access.", "service": "S3"
        },
        "s3-bucket-no-logging": {
          "checked_items": 4, "dashboard_name": "Buckets", "description": "Bucket Access Logging Disabled", "flagged_items": 0, "items": [], "level": "warning", "service": "S3"
        }
      }
    },
    "ec2": {
      "findings": {
        "ec2-security-group-opens-SSH-port-to-all": {
          "checked_items": 12, "compliance": null, "dashboard_name": "Rules", "description": "Security Group Opens SSH Port to All",
          "flagged_items": 2,
          "items": [
            "ec2.regions.eu-west-1.vpcs.vpc-0a1b2c.security_groups.sg-0123.rules.ingress.protocols.TCP.ports.22.cidrs.0.CIDR",
            "ec2.regions.us-east-1.vpcs.vpc-9f8e7d.security_groups.sg-0456.rules.ingress.protocols.TCP.ports.22.cidrs.0.CIDR"
          ],
          "level": "danger", "rationale": "SSH open to the internet invites brute force.", "references": null, "remediation": null, "service": "EC2"
        }
      }
    }
  }
}
