import Foundation

/// One IaC control as Checkov, Trivy/tfsec and KICS name it, so that their findings on one
/// resource are one issue (docs/correlation.md). The table below is the data: one control per
/// line, `control | Checkov ids | Trivy AVD ids and tfsec long ids | KICS query ids`, seeded
/// from the tools' documentation. A check it does not list keeps its own id and meets only the
/// same check (Trivy and tfsec share AVD ids; a tool's JSON and SARIF share its ids).
public enum IaCControls {
    static let table = """
        aws-s3-block-public-acls | CKV_AWS_53 | AVD-AWS-0086 aws-s3-block-public-acls |
        aws-s3-block-public-policy | CKV_AWS_54 | AVD-AWS-0087 aws-s3-block-public-policy |
        aws-s3-ignore-public-acls | CKV_AWS_55 | AVD-AWS-0091 aws-s3-ignore-public-acls |
        aws-s3-restrict-public-buckets | CKV_AWS_56 | AVD-AWS-0093 aws-s3-no-public-buckets |
        aws-s3-public-access-block | CKV2_AWS_6 | AVD-AWS-0094 aws-s3-specify-public-access-block |
        aws-s3-encryption | CKV_AWS_19 | AVD-AWS-0088 aws-s3-enable-bucket-encryption | 6726dcc0-5ff5-459d-b473-a780bef7665c
        aws-s3-encryption-customer-key | CKV_AWS_145 | AVD-AWS-0132 aws-s3-encryption-customer-key |
        aws-s3-logging | CKV_AWS_18 | AVD-AWS-0089 aws-s3-enable-bucket-logging | f861041c-8c9f-4156-acfc-5e6e524f5884
        aws-s3-versioning | CKV_AWS_21 | AVD-AWS-0090 aws-s3-enable-versioning | 568a4d22-3517-44a6-a7ad-6a7eed88722c
        aws-sg-rule-description | CKV_AWS_23 | AVD-AWS-0124 aws-ec2-add-description-to-security-group-rule |
        aws-sg-description | | AVD-AWS-0099 aws-ec2-add-description-to-security-group |
        aws-sg-public-ingress | CKV_AWS_24 CKV_AWS_25 CKV_AWS_260 | AVD-AWS-0107 aws-ec2-no-public-ingress-sgr |
        aws-sg-public-egress | | AVD-AWS-0104 aws-ec2-no-public-egress-sgr |
        aws-ebs-encryption | CKV_AWS_3 | AVD-AWS-0026 aws-ec2-enable-volume-encryption |
        aws-ec2-imdsv2 | CKV_AWS_79 | AVD-AWS-0028 aws-ec2-enforce-http-token-imds |
        aws-rds-encryption | CKV_AWS_16 | AVD-AWS-0080 aws-rds-encrypt-instance-storage-data |
        aws-rds-public | CKV_AWS_17 | AVD-AWS-0180 aws-rds-no-public-db-access |
        aws-cloudtrail-log-validation | CKV_AWS_36 | AVD-AWS-0016 aws-cloudtrail-enable-log-validation |
        aws-cloudtrail-multi-region | CKV_AWS_67 | AVD-AWS-0014 aws-cloudtrail-enable-all-regions |
        aws-cloudtrail-encryption | CKV_AWS_35 | AVD-AWS-0015 aws-cloudtrail-encryption-customer-key |
        aws-kms-rotation | CKV_AWS_7 | AVD-AWS-0065 aws-kms-auto-rotate-keys |
        aws-eks-public-endpoint | CKV_AWS_39 | AVD-AWS-0040 aws-eks-no-public-cluster-access |
        aws-eks-secrets-encryption | CKV_AWS_58 | AVD-AWS-0039 aws-eks-encrypt-secrets |
        aws-ecr-image-scanning | CKV_AWS_163 | AVD-AWS-0030 aws-ecr-enable-image-scans |
        aws-ecr-immutable-tags | CKV_AWS_51 | AVD-AWS-0031 aws-ecr-enforce-immutable-repository |
        aws-lambda-tracing | CKV_AWS_50 | AVD-AWS-0066 aws-lambda-enable-tracing |
        aws-dynamodb-recovery | CKV_AWS_28 | AVD-AWS-0024 aws-dynamodb-enable-recovery |
        aws-sqs-encryption | CKV_AWS_27 | AVD-AWS-0096 aws-sqs-enable-queue-encryption |
        aws-sns-encryption | CKV_AWS_26 | AVD-AWS-0095 aws-sns-enable-topic-encryption |
        aws-vpc-flow-logs | CKV2_AWS_11 | AVD-AWS-0178 aws-ec2-require-vpc-flow-logs-for-all-vpcs |
        aws-elb-drop-invalid-headers | CKV_AWS_131 | AVD-AWS-0052 aws-elb-drop-invalid-headers |
        aws-elb-tls-policy | CKV_AWS_103 | AVD-AWS-0047 aws-elb-use-secure-tls-policy |
        aws-cloudfront-https | CKV_AWS_34 | AVD-AWS-0012 aws-cloudfront-enforce-https |
        azure-storage-https | CKV_AZURE_3 | AVD-AZU-0008 azure-storage-enforce-https |
        azure-storage-min-tls | CKV_AZURE_44 | AVD-AZU-0011 azure-storage-use-secure-tls-policy |
        azure-aks-rbac | CKV_AZURE_5 | AVD-AZU-0042 azure-container-use-rbac-permissions |
        azure-keyvault-purge-protection | CKV_AZURE_42 | AVD-AZU-0016 azure-keyvault-no-purge |
        gcp-storage-uniform-access | CKV_GCP_29 | AVD-GCP-0002 google-storage-enable-ubla |
        gcp-sql-require-ssl | CKV_GCP_6 | AVD-GCP-0015 google-sql-encrypt-in-transit-data |
        k8s-privileged | CKV_K8S_16 | AVD-KSV-0017 |
        k8s-privilege-escalation | CKV_K8S_20 | AVD-KSV-0001 |
        k8s-run-as-non-root | CKV_K8S_23 | AVD-KSV-0012 |
        k8s-read-only-root-fs | CKV_K8S_22 | AVD-KSV-0014 |
        k8s-cpu-limits | CKV_K8S_11 | AVD-KSV-0011 | 4ac0e2b7-d2d2-4af7-8799-e8de6721ccda
        k8s-memory-limits | CKV_K8S_13 | AVD-KSV-0018 |
        k8s-host-network | CKV_K8S_19 | AVD-KSV-0009 |
        k8s-host-pid | CKV_K8S_17 | AVD-KSV-0010 |
        k8s-host-ipc | CKV_K8S_18 | AVD-KSV-0008 |
        k8s-drop-capabilities | CKV_K8S_28 CKV_K8S_37 | AVD-KSV-0003 | 268ca686-7fb7-4ae9-b129-955a2a89064e
        k8s-image-tag | CKV_K8S_14 | AVD-KSV-0013 |
        dockerfile-user | CKV_DOCKER_3 | AVD-DS-0002 |
        dockerfile-healthcheck | CKV_DOCKER_2 | AVD-DS-0026 |
        dockerfile-latest-tag | CKV_DOCKER_7 | AVD-DS-0001 |
        dockerfile-add-instead-of-copy | CKV_DOCKER_4 | AVD-DS-0005 |
        """

    /// Normalized tool id → control.
    static let controls: [String: String] = {
        var map: [String: String] = [:]
        for line in table.split(separator: "\n") {
            let columns = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.count == 4 else { continue }
            for ids in columns.dropFirst() {
                for id in ids.split(separator: " ") where !id.isEmpty { map[normalized(String(id))] = columns[0] }
            }
        }
        return map
    }()

    /// How the table's rows read, for its test: control → its ids, as written.
    public static var rows: [(control: String, ids: [String])] {
        table.split(separator: "\n").compactMap { line in
            let columns = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.count == 4 else { return nil }
            return (columns[0], columns.dropFirst().flatMap { $0.split(separator: " ").map(String.init) })
        }
    }

    /// A check id spelled one way: upper case; `AVD-` dropped; `KSV017`, `KSV-017` and
    /// `AVD-KSV-0017` all `KSV-0017`.
    static func normalized(_ id: String) -> String {
        var text = id.uppercased()
        if text.hasPrefix("AVD-") { text.removeFirst(4) }
        let letters = text.prefix(while: { $0.isLetter })
        var rest = text.dropFirst(letters.count)
        if rest.hasPrefix("-") { rest = rest.dropFirst() }
        if !letters.isEmpty, !rest.isEmpty, rest.allSatisfy(\.isNumber), let number = Int(rest) {
            let digits = String(number)
            return letters + "-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
        return text
    }

    /// The control a tool's check is, or the check's own normalized id when the table does not
    /// list it.
    public static func canonical(tool: String, checkID: String) -> String {
        let id = normalized(checkID)
        return controls[id] ?? id
    }
}
