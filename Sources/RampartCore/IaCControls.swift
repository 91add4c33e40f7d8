import Foundation

/// One IaC control as Checkov, Trivy/tfsec and KICS name it, so that their findings on one
/// resource are one issue (docs/correlation.md). The table below is the data: one control per
/// line, `control | Checkov ids | Trivy AVD ids and tfsec long ids | KICS query ids`, seeded
/// from the tools' documentation. A check it does not list keeps its own id and meets only the
/// same check (Trivy and tfsec share AVD ids; a tool's JSON and SARIF share its ids).
public enum IaCControls {
    static let table = """
        aws-s3-block-public-acls | CKV_AWS_53 | AVD-AWS-0086 aws-s3-block-public-acls | d0cc8694-fcad-43ff-ac86-32331d7e867f
        aws-s3-block-public-policy | CKV_AWS_54 | AVD-AWS-0087 aws-s3-block-public-policy | 1a4bc881-9f69-4d44-8c9a-d37d08f54c50
        aws-s3-ignore-public-acls | CKV_AWS_55 | AVD-AWS-0091 aws-s3-ignore-public-acls | 4fa66806-0dd9-4f8d-9480-3174d39c7c91
        aws-s3-restrict-public-buckets | CKV_AWS_56 | AVD-AWS-0093 aws-s3-no-public-buckets | 1ec253ab-c220-4d63-b2de-5b40e0af9293
        aws-s3-public-access-block | CKV2_AWS_6 | AVD-AWS-0094 aws-s3-specify-public-access-block |
        aws-s3-encryption | CKV_AWS_19 | AVD-AWS-0088 aws-s3-enable-bucket-encryption | 6726dcc0-5ff5-459d-b473-a780bef7665c
        aws-s3-encryption-customer-key | CKV_AWS_145 | AVD-AWS-0132 aws-s3-encryption-customer-key |
        aws-s3-logging | CKV_AWS_18 | AVD-AWS-0089 aws-s3-enable-bucket-logging | f861041c-8c9f-4156-acfc-5e6e524f5884
        aws-s3-versioning | CKV_AWS_21 | AVD-AWS-0090 aws-s3-enable-versioning | 568a4d22-3517-44a6-a7ad-6a7eed88722c
        aws-sg-rule-description | CKV_AWS_23 | AVD-AWS-0124 aws-ec2-add-description-to-security-group-rule |
        aws-sg-description | | AVD-AWS-0099 aws-ec2-add-description-to-security-group | cb3f5ed6-0d18-40de-a93d-b3538db31e8c
        aws-sg-public-ingress | CKV_AWS_24 CKV_AWS_25 CKV_AWS_260 | AVD-AWS-0107 aws-ec2-no-public-ingress-sgr | 4728cd65-a20c-49da-8b31-9c08b423e4db 65905cec-d691-4320-b320-2000436cb696 151187cb-0efc-481c-babd-ad24e3c9bc22 ffac8a12-322e-42c1-b9b9-81ff85c39ef7
        aws-sg-public-egress | | AVD-AWS-0104 aws-ec2-no-public-egress-sgr |
        aws-ebs-encryption | CKV_AWS_3 | AVD-AWS-0026 aws-ec2-enable-volume-encryption | cc997676-481b-4e93-aa81-d19f8c5e9b12
        aws-ec2-imdsv2 | CKV_AWS_79 | AVD-AWS-0028 aws-ec2-enforce-http-token-imds |
        aws-rds-encryption | CKV_AWS_16 | AVD-AWS-0080 aws-rds-encrypt-instance-storage-data | 08bd0760-8752-44e1-9779-7bb369b2b4e4
        aws-rds-public | CKV_AWS_17 | AVD-AWS-0180 aws-rds-no-public-db-access | 35113e6f-2c6b-414d-beec-7a9482d3b2d1
        aws-cloudtrail-log-validation | CKV_AWS_36 | AVD-AWS-0016 aws-cloudtrail-enable-log-validation | 52ffcfa6-6c70-4ea6-8376-d828d3961669
        aws-cloudtrail-multi-region | CKV_AWS_67 | AVD-AWS-0014 aws-cloudtrail-enable-all-regions | 8173d5eb-96b5-4aa6-a71b-ecfa153c123d
        aws-cloudtrail-encryption | CKV_AWS_35 | AVD-AWS-0015 aws-cloudtrail-encryption-customer-key | 5d9e3164-9265-470c-9a10-57ae454ac0c7
        aws-kms-rotation | CKV_AWS_7 | AVD-AWS-0065 aws-kms-auto-rotate-keys | 22fbfeac-7b5a-421a-8a27-7a2178bb910b
        aws-eks-public-endpoint | CKV_AWS_39 | AVD-AWS-0040 aws-eks-no-public-cluster-access | 42f4b905-3736-4213-bfe9-c0660518cda8
        aws-eks-secrets-encryption | CKV_AWS_58 | AVD-AWS-0039 aws-eks-encrypt-secrets | 63ebcb19-2739-4d3f-aa5c-e8bbb9b85281
        aws-ecr-image-scanning | CKV_AWS_163 | AVD-AWS-0030 aws-ecr-enable-image-scans | 9630336b-3fed-4096-8173-b9afdfe346a7
        aws-ecr-immutable-tags | CKV_AWS_51 | AVD-AWS-0031 aws-ecr-enforce-immutable-repository | d1846b12-20c5-4d45-8798-fc35b79268eb
        aws-lambda-tracing | CKV_AWS_50 | AVD-AWS-0066 aws-lambda-enable-tracing | 8152e0cf-d2f0-47ad-96d5-d003a76eabd1
        aws-dynamodb-recovery | CKV_AWS_28 | AVD-AWS-0024 aws-dynamodb-enable-recovery | 741f1291-47ac-4a85-a07b-3d32a9d6bd3e
        aws-sqs-encryption | CKV_AWS_27 | AVD-AWS-0096 aws-sqs-enable-queue-encryption | 6e8849c1-3aa7-40e3-9063-b85ee300f29f
        aws-sns-encryption | CKV_AWS_26 | AVD-AWS-0095 aws-sns-enable-topic-encryption | 28545147-2fc6-42d5-a1f9-cf226658e591
        aws-vpc-flow-logs | CKV2_AWS_11 | AVD-AWS-0178 aws-ec2-require-vpc-flow-logs-for-all-vpcs | f83121ea-03da-434f-9277-9cd247ab3047
        aws-elb-drop-invalid-headers | CKV_AWS_131 | AVD-AWS-0052 aws-elb-drop-invalid-headers | 6e3fd2ed-5c83-4c68-9679-7700d224d379
        aws-elb-tls-policy | CKV_AWS_103 | AVD-AWS-0047 aws-elb-use-secure-tls-policy |
        aws-cloudfront-https | CKV_AWS_34 | AVD-AWS-0012 aws-cloudfront-enforce-https |
        azure-storage-https | CKV_AZURE_3 | AVD-AZU-0008 azure-storage-enforce-https | 12944ec4-1fa0-47be-8b17-42a034f937c2
        azure-storage-min-tls | CKV_AZURE_44 | AVD-AZU-0011 azure-storage-use-secure-tls-policy | 8263f146-5e03-43e0-9cfe-db960d56d1e7
        azure-aks-rbac | CKV_AZURE_5 | AVD-AZU-0042 azure-container-use-rbac-permissions | 86f92117-eed8-4614-9c6c-b26da20ff37f
        azure-keyvault-purge-protection | CKV_AZURE_42 | AVD-AZU-0016 azure-keyvault-no-purge |
        gcp-storage-uniform-access | CKV_GCP_29 | AVD-GCP-0002 google-storage-enable-ubla | bb0db090-5509-4853-a827-75ced0b3caa0
        gcp-sql-require-ssl | CKV_GCP_6 | AVD-GCP-0015 google-sql-encrypt-in-transit-data | 02474449-71aa-40a1-87ae-e14497747b00
        k8s-privileged | CKV_K8S_16 | AVD-KSV-0017 |
        k8s-privilege-escalation | CKV_K8S_20 | AVD-KSV-0001 | 5572cc5e-1e4c-4113-92a6-7a8a3bd25e6d c878abb4-cca5-4724-92b9-289be68bd47c
        k8s-run-as-non-root | CKV_K8S_23 | AVD-KSV-0012 |
        k8s-read-only-root-fs | CKV_K8S_22 | AVD-KSV-0014 | d532566b-8d9d-4f3b-80bd-361fe802f9c2
        k8s-cpu-limits | CKV_K8S_11 | AVD-KSV-0011 | 4ac0e2b7-d2d2-4af7-8799-e8de6721ccda
        k8s-memory-limits | CKV_K8S_13 | AVD-KSV-0018 | b14d1bc4-a208-45db-92f0-e21f8e2588e9
        k8s-host-network | CKV_K8S_19 | AVD-KSV-0009 | 6b6bdfb3-c3ae-44cb-88e4-7405c1ba2c8a
        k8s-host-pid | CKV_K8S_17 | AVD-KSV-0010 | 302736f4-b16c-41b8-befe-c0baffa0bd9d 587d5d82-70cf-449b-9817-f60f9bccb88c
        k8s-host-ipc | CKV_K8S_18 | AVD-KSV-0008 | cd290efd-6c82-4e9d-a698-be12ae31d536
        k8s-drop-capabilities | CKV_K8S_28 CKV_K8S_37 | AVD-KSV-0003 | 268ca686-7fb7-4ae9-b129-955a2a89064e
        k8s-image-tag | CKV_K8S_14 | AVD-KSV-0013 |
        dockerfile-user | CKV_DOCKER_3 | AVD-DS-0002 | fd54f200-402c-4333-a5a4-36ef6709af2f
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
