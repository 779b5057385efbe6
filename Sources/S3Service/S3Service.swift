import AWSGateway
import CloudFormation
import EmulatorCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigV4
import Storage

/// Amazon S3: buckets from the template, objects streamed to files, SigV4/SigV2/presigned access enforced by the
/// gateway, CORS, lifecycle on the virtual clock and event notifications to Lambda.
///
/// Routing follows the S3 REST API: the bucket comes from the virtual host or the first path segment, the key is
/// the rest of the path, and sub-resources (`?cors`, `?uploads`, `?tagging`...) select the operation.
package struct S3Service: AWSServiceHandler {
    /// Routing facts.
    package let descriptor = ServiceDescriptors.s3
    /// The store.
    package let store: S3Store
    let clock: VirtualClock
    let environment: LiveEnvironment
    let authorizer: any RequestAuthorizing
    let credentials: CredentialStore
    let notifier: S3EventNotifier
    let logger: Logger
    /// `--strict-credentials`: presigned POST forms signed with unknown keys are refused.
    let strictCredentials: Bool

    /// The largest single PUT (5 GiB).
    static let maxObjectSize = 5 * 1024 * 1024 * 1024
    /// The smallest multipart part other than the last (5 MiB).
    static let minPartSize = 5 * 1024 * 1024

    /// Creates the service and the template's buckets.
    /// - Parameters:
    ///   - buckets: The template's bucket specs.
    ///   - dataLocation: Where data lives.
    ///   - clock: The virtual clock.
    ///   - environment: Region, account, port.
    ///   - authorizer: The authorization hook.
    ///   - credentials: Key pairs, for presigned POST signatures.
    ///   - lambda: The Lambda invoker for notifications, or nil while Lambda is not available.
    ///   - strictCredentials: Refuse presigned POST forms signed with unknown access keys.
    ///   - logger: The logger.
    /// - Throws: Storage errors.
    package init(
        buckets: [S3BucketSpec],
        dataLocation: DataLocation,
        clock: VirtualClock,
        environment: LiveEnvironment,
        authorizer: any RequestAuthorizing,
        credentials: CredentialStore,
        lambda: (any LambdaInvoking)?,
        strictCredentials: Bool = false,
        logger: Logger
    ) throws {
        var logger = logger
        logger[metadataKey: "service"] = "s3"
        self.store = try S3Store(location: dataLocation, logger: logger)
        self.clock = clock
        self.environment = environment
        self.authorizer = authorizer
        self.credentials = credentials
        self.notifier = S3EventNotifier(invoker: lambda, logger: logger)
        self.logger = logger
        self.strictCredentials = strictCredentials
        let region = environment.current.region
        try store.bootstrap(
            buckets.map { (name: $0.name, region: region, configuration: BucketConfiguration.from(spec: $0)) },
            now: clock.now
        )
    }

    /// The lifecycle sweeper (its ``LifecycleSweeper/scheduled(interval:)`` runs beside the server).
    /// - Returns: The sweeper.
    package func lifecycleSweeper() -> LifecycleSweeper {
        LifecycleSweeper(store: store, clock: clock, logger: logger)
    }

    /// `running`, bucket count and object count.
    /// - Returns: The health record.
    package func health() async -> ServiceHealth {
        let counts = (try? await store.counts()) ?? (buckets: 0, objects: 0)
        return ServiceHealth(state: "running", resources: ["buckets": counts.buckets], details: ["objects": counts.objects])
    }

    // MARK: Routing

    /// Bucket and key of a request.
    struct Target {
        var bucket: String?
        var key: String?
    }

    static func target(of request: AWSRequest) -> Target {
        let path = request.rawPath
        if let bucket = request.virtualHostBucket {
            let rawKey = String(path.dropFirst())
            return Target(bucket: bucket, key: rawKey.isEmpty ? nil : URLComponentsDecoding.decode(rawKey))
        }
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard !trimmed.isEmpty else { return Target(bucket: nil, key: nil) }
        guard let slash = trimmed.firstIndex(of: "/") else {
            return Target(bucket: URLComponentsDecoding.decode(trimmed), key: nil)
        }
        let bucket = URLComponentsDecoding.decode(String(trimmed[..<slash]))
        let rawKey = String(trimmed[trimmed.index(after: slash)...])
        return Target(bucket: bucket, key: rawKey.isEmpty ? nil : URLComponentsDecoding.decode(rawKey))
    }

    /// Answers one S3 request.
    /// - Parameter request: The request.
    /// - Returns: The response.
    /// - Throws: ``S3Error`` and storage errors (rendered by the gateway).
    package func handle(_ request: AWSRequest) async throws -> Response {
        let target = Self.target(of: request)
        if request.method == .options {
            return try await preflight(request, target: target)
        }
        var response = try await route(request, target: target)
        if let bucket = target.bucket, let origin = request.header("origin") {
            if let rules = try await store.bucket(bucket)?.configuration.cors,
                let grant = CORS.actual(rules: rules, origin: origin, method: request.method.rawValue)
            {
                for (name, value) in grant.headers where name != "Access-Control-Allow-Headers" {
                    Self.set(&response.headers, name, value)
                }
            }
        }
        return response
    }

    private func route(_ request: AWSRequest, target: Target) async throws -> Response {
        let method = request.method
        let has: (String) -> Bool = { name in request.queryItems.contains { $0.name == name } }

        if request.caller.isAnonymous {
            let isForm = request.header("content-type")?.lowercased().hasPrefix("multipart/form-data") ?? false
            guard method == .post, target.bucket != nil, target.key == nil, isForm else {
                if let bucket = target.bucket, try await store.bucket(bucket) == nil, target.key == nil {
                    throw S3Error.noSuchBucket(bucket)
                }
                throw S3Error.accessDenied()
            }
        }

        guard let bucket = target.bucket else {
            guard method == .get else { throw S3Error.methodNotAllowed(method: method.rawValue, resourceType: "SERVICE") }
            return try await listBuckets(request)
        }

        guard let key = target.key else {
            switch method {
            case .get:
                if has("cors") { return try await getBucketCors(request, bucket) }
                if has("lifecycle") { return try await getBucketLifecycle(request, bucket) }
                if has("notification") { return try await getBucketNotification(request, bucket) }
                if has("encryption") { return try await getBucketEncryption(request, bucket) }
                if has("publicAccessBlock") { return try await getPublicAccessBlock(request, bucket) }
                if has("tagging") { return try await getBucketTagging(request, bucket) }
                if has("versioning") { return try await getBucketVersioning(request, bucket) }
                if has("location") { return try await getBucketLocation(request, bucket) }
                if has("uploads") { return try await listMultipartUploads(request, bucket) }
                if Self.unsupportedBucketSubresources.contains(where: has) { throw S3Error.notImplemented }
                if request.query("list-type") == "2" { return try await listObjects(request, bucket, v2: true) }
                return try await listObjects(request, bucket, v2: false)
            case .put:
                if has("cors") { return try await putBucketCors(request, bucket) }
                if has("lifecycle") { return try await putBucketLifecycle(request, bucket) }
                if has("notification") { return try await putBucketNotification(request, bucket) }
                if has("encryption") { return try await putBucketEncryption(request, bucket) }
                if has("publicAccessBlock") { return try await putPublicAccessBlock(request, bucket) }
                if has("tagging") { return try await putBucketTagging(request, bucket) }
                if has("versioning") { return try await putBucketVersioning(request, bucket) }
                if Self.unsupportedBucketSubresources.contains(where: has) { throw S3Error.notImplemented }
                return try await createBucket(request, bucket)
            case .delete:
                if has("cors") { return try await deleteBucketCors(request, bucket) }
                if has("lifecycle") { return try await deleteBucketLifecycle(request, bucket) }
                if has("encryption") { return try await deleteBucketEncryption(request, bucket) }
                if has("publicAccessBlock") { return try await deletePublicAccessBlock(request, bucket) }
                if has("tagging") { return try await deleteBucketTagging(request, bucket) }
                if Self.unsupportedBucketSubresources.contains(where: has) { throw S3Error.notImplemented }
                return try await deleteBucket(request, bucket)
            case .head:
                return try await headBucket(request, bucket)
            case .post:
                if has("delete") { return try await deleteObjects(request, bucket) }
                if request.header("content-type")?.lowercased().hasPrefix("multipart/form-data") ?? false {
                    return try await postObject(request, bucket)
                }
                throw S3Error.methodNotAllowed(method: "POST", resourceType: "BUCKET")
            default:
                throw S3Error.methodNotAllowed(method: method.rawValue, resourceType: "BUCKET")
            }
        }

        switch method {
        case .get:
            if has("tagging") { return try await getObjectTagging(request, bucket, key) }
            if has("uploadId") { return try await listParts(request, bucket, key) }
            if Self.unsupportedObjectSubresources.contains(where: has) { throw S3Error.notImplemented }
            return try await getObject(request, bucket, key, head: false)
        case .head:
            return try await getObject(request, bucket, key, head: true)
        case .put:
            if has("tagging") { return try await putObjectTagging(request, bucket, key) }
            if has("uploadId") || has("partNumber") {
                if request.header("x-amz-copy-source") != nil { return try await uploadPartCopy(request, bucket, key) }
                return try await uploadPart(request, bucket, key)
            }
            if Self.unsupportedObjectSubresources.contains(where: has) { throw S3Error.notImplemented }
            if request.header("x-amz-copy-source") != nil { return try await copyObject(request, bucket, key) }
            return try await putObject(request, bucket, key)
        case .delete:
            if has("tagging") { return try await deleteObjectTagging(request, bucket, key) }
            if has("uploadId") { return try await abortMultipartUpload(request, bucket, key) }
            return try await deleteObject(request, bucket, key)
        case .post:
            if has("uploads") { return try await createMultipartUpload(request, bucket, key) }
            if has("uploadId") { return try await completeMultipartUpload(request, bucket, key) }
            throw S3Error.methodNotAllowed(method: "POST", resourceType: "OBJECT")
        default:
            throw S3Error.methodNotAllowed(method: method.rawValue, resourceType: "OBJECT")
        }
    }

    private static let unsupportedBucketSubresources = [
        "acl", "policy", "policyStatus", "website", "logging", "replication", "accelerate", "requestPayment", "ownershipControls",
        "object-lock", "analytics", "metrics", "inventory", "intelligent-tiering", "versions", "select",
    ]
    private static let unsupportedObjectSubresources = ["acl", "retention", "legal-hold", "restore", "torrent", "attributes", "select"]

    // MARK: Shared helpers

    /// Calls the authorization hook and turns a denial into S3's `AccessDenied`.
    func authorize(_ request: AWSRequest, _ action: String, _ resources: [String], context: [String: [String]] = [:]) async throws {
        let decision = await authorizer.authorize(caller: request.caller, action: action, resources: resources, context: context)
        if case .denied(let message) = decision { throw S3Error.accessDenied(message) }
    }

    static func bucketArn(_ bucket: String) -> String { "arn:aws:s3:::\(bucket)" }
    static func objectArn(_ bucket: String, _ key: String) -> String { "arn:aws:s3:::\(bucket)/\(key)" }

    /// The bucket, or `NoSuchBucket`.
    func requireBucket(_ name: String) async throws -> BucketRecord {
        guard let bucket = try await store.bucket(name) else { throw S3Error.noSuchBucket(name) }
        return bucket
    }

    /// An XML response.
    static func xml(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/xml"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// An empty response.
    static func empty(_ status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        if headers[.contentLength] == nil { headers[.contentLength] = "0" }
        return Response(status: status, headers: headers, body: ResponseBody())
    }

    /// Sets a header by name (names from requests and constants are valid; invalid ones are skipped).
    static func set(_ headers: inout HTTPFields, _ name: String, _ value: String) {
        guard let field = HTTPField.Name(name) else { return }
        headers[field] = value
    }

    /// The owner element of listings.
    func writeOwner(_ xml: inout XMLWriter, element: String = "Owner") {
        xml.element(element) { xml in
            xml.element("ID", Self.canonicalUserId(environment.current.accountId))
            xml.element("DisplayName", "webfile")
        }
    }

    /// A stable 64-hex canonical user id for the account.
    static func canonicalUserId(_ accountId: String) -> String {
        SigV4Encoding.sha256Hex(Array("synapscribe-local:\(accountId)".utf8))
    }

    /// The caller's principal id for event notifications.
    static func principalId(_ caller: Caller) -> String {
        guard let key = caller.accessKeyId else { return "ANONYMOUS_PRINCIPAL" }
        return "AWS:\(key)"
    }

    /// Emits an event notification for a bucket's matching Lambda targets.
    func notify(
        _ request: AWSRequest,
        bucket: BucketRecord,
        eventName: String,
        key: String,
        size: Int? = nil,
        etag: String? = nil,
        versionId: String? = nil,
        responseHeaders: HTTPFields? = nil
    ) async {
        guard !bucket.configuration.notifications.isEmpty else { return }
        let now = clock.now
        let event = S3EventNotifier.Event(
            eventName: eventName,
            bucket: bucket.name,
            key: key,
            size: size,
            eTag: etag.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) },
            versionId: versionId,
            time: now,
            region: bucket.region,
            principalId: Self.principalId(request.caller),
            sourceIPAddress: "127.0.0.1",
            requestId: request.requestId,
            hostId: responseHeaders?[.amzId2] ?? RequestID.s3HostID(),
            sequencer: notifier.nextSequencer(now: now)
        )
        await notifier.deliver(event, targets: bucket.configuration.notifications)
    }

    // MARK: CORS preflight

    private func preflight(_ request: AWSRequest, target: Target) async throws -> Response {
        guard let bucketName = target.bucket else { throw S3Error.badRequest("Insufficient information. Origin request header needed.") }
        guard let origin = request.header("origin") else {
            throw S3Error.badRequest("Insufficient information. Origin request header needed.")
        }
        guard let method = request.header("access-control-request-method") else {
            throw S3Error.badRequest("Invalid Access-Control-Request-Method: null")
        }
        let resourceType = target.key == nil ? "BUCKET" : "OBJECT"
        let bucket = try await requireBucket(bucketName)
        guard let rules = bucket.configuration.cors else {
            throw S3Error.corsForbidden(message: S3Messages.corsNotEnabled, method: method, resourceType: resourceType)
        }
        let headers = CORS.requestedHeaders(request.header("access-control-request-headers"))
        guard let grant = CORS.preflight(rules: rules, origin: origin, method: method, requestHeaders: headers) else {
            throw S3Error.corsForbidden(message: S3Messages.corsNotAllowed, method: method, resourceType: resourceType)
        }
        var fields = HTTPFields()
        for (name, value) in grant.headers { Self.set(&fields, name, value) }
        return Self.empty(.ok, headers: fields)
    }
}
