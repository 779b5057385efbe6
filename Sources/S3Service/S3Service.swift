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
    /// Recently completed multipart uploads, for CompleteMultipartUpload requests re-sent after success.
    let completedUploads = CompletedUploads()

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
    ///   - profile: The realism profile (notification delay, duplicates, dropped events).
    ///   - random: Where the profile's random choices come from.
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
        profile: RealismProfile = .default,
        random: any RealismRandomSource = SystemRealismRandom(),
        logger: Logger
    ) throws {
        var logger = logger
        logger[metadataKey: "service"] = "s3"
        self.store = try S3Store(location: dataLocation, logger: logger)
        self.clock = clock
        self.environment = environment
        self.authorizer = authorizer
        self.credentials = credentials
        self.notifier = S3EventNotifier(invoker: lambda, logger: logger, profile: profile, random: random)
        self.logger = logger
        self.strictCredentials = strictCredentials
        let region = environment.current.region
        let ownerId = Self.canonicalUserId(environment.current.accountId)
        let configured = buckets.map {
            (name: $0.name, region: region, configuration: BucketConfiguration.from(spec: $0, ownerId: ownerId))
        }
        try store.bootstrap(configured, now: clock.now)
        for bucket in configured {
            for target in bucket.configuration.notifications {
                if let warning = target.undeliveredWarning(bucket: bucket.name) { logger.warning("\(warning)") }
            }
        }
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

    /// Names the typed operation from the method, the gateway's bucket/key target, the query and the headers.
    /// - Parameter request: The request so far.
    /// - Returns: The operation, or nil when S3 answers `NotImplemented` or `MethodNotAllowed` (and for CORS
    ///   preflights, which are not operations).
    package func resolveOperation(_ request: AWSRequest) -> (any ServiceOperation)? {
        guard request.method != .options else { return nil }
        return try? S3Operation.resolve(
            method: request.method,
            target: Self.target(of: request),
            query: request.queryItems,
            headers: request.head.headerFields
        ).get()
    }

    /// The bucket and key of a request, as the gateway worked them out.
    static func target(of request: AWSRequest) -> S3Target {
        request.s3Target ?? S3Target(host: request.head.authority, rawPath: request.rawPath)
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
        var response: Response
        do {
            response = try await route(request, target: target)
        } catch let failure as S3ErrorWithHeaders {
            response = render(failure, request)
        } catch let failure as S3Error where request.header("origin") != nil {
            // S3 adds the CORS headers to error responses too, so a browser can read the error.
            response = render(S3ErrorWithHeaders(error: failure, headers: [:]), request)
        }
        if let bucket = target.bucket, let origin = request.header("origin") {
            // A request carrying Access-Control-Request-Method is matched on that method, as a preflight would be.
            let method = request.header("access-control-request-method") ?? request.method.rawValue
            if let rules = try await store.bucket(bucket)?.configuration.cors,
                let grant = CORS.actual(rules: rules, origin: origin, method: method)
            {
                for (name, value) in grant.headers where name != "Access-Control-Allow-Headers" {
                    Self.set(&response.headers, name, value)
                }
            }
        }
        return response
    }

    private func route(_ request: AWSRequest, target: S3Target) async throws -> Response {
        if request.caller.isAnonymous {
            // Anonymous requests: a bucket that does not exist is reported as such (to bucket and object requests, as S3
            // does); the rest is judged per operation by the bucket policy and ACLs (``authorizeAccess(_:_:_:context:signer:)``).
            guard let bucket = target.bucket, !(request.method == .put && target.key == nil && request.queryItems.isEmpty) else {
                throw S3Error.accessDenied()
            }
            if try await store.bucket(bucket) == nil { throw S3Error.noSuchBucket(bucket) }
        }
        let operation: S3Operation
        if let resolved = request.serviceOperation as? S3Operation {
            operation = resolved
        } else {
            operation = try S3Operation.resolve(
                method: request.method,
                target: target,
                query: request.queryItems,
                headers: request.head.headerFields
            ).get()
        }
        return try await dispatch(operation, request, bucket: target.bucket ?? "", key: target.key ?? "")
    }

    private func dispatch(_ operation: S3Operation, _ request: AWSRequest, bucket: String, key: String) async throws -> Response {
        switch operation {
        case .listBuckets: try await listBuckets(request)
        case .createBucket: try await createBucket(request, bucket)
        case .deleteBucket: try await deleteBucket(request, bucket)
        case .headBucket: try await headBucket(request, bucket)
        case .getBucketLocation: try await getBucketLocation(request, bucket)
        case .listObjects: try await listObjects(request, bucket, v2: false)
        case .listObjectsV2: try await listObjects(request, bucket, v2: true)
        case .listObjectVersions: try await listObjectVersions(request, bucket)
        case .listMultipartUploads: try await listMultipartUploads(request, bucket)
        case .getBucketCors: try await getBucketCors(request, bucket)
        case .putBucketCors: try await putBucketCors(request, bucket)
        case .deleteBucketCors: try await deleteBucketCors(request, bucket)
        case .getBucketLifecycle: try await getBucketLifecycle(request, bucket)
        case .putBucketLifecycle: try await putBucketLifecycle(request, bucket)
        case .deleteBucketLifecycle: try await deleteBucketLifecycle(request, bucket)
        case .getBucketNotification: try await getBucketNotification(request, bucket)
        case .putBucketNotification: try await putBucketNotification(request, bucket)
        case .getBucketEncryption: try await getBucketEncryption(request, bucket)
        case .putBucketEncryption: try await putBucketEncryption(request, bucket)
        case .deleteBucketEncryption: try await deleteBucketEncryption(request, bucket)
        case .getPublicAccessBlock: try await getPublicAccessBlock(request, bucket)
        case .putPublicAccessBlock: try await putPublicAccessBlock(request, bucket)
        case .deletePublicAccessBlock: try await deletePublicAccessBlock(request, bucket)
        case .getBucketTagging: try await getBucketTagging(request, bucket)
        case .putBucketTagging: try await putBucketTagging(request, bucket)
        case .deleteBucketTagging: try await deleteBucketTagging(request, bucket)
        case .getBucketVersioning: try await getBucketVersioning(request, bucket)
        case .putBucketVersioning: try await putBucketVersioning(request, bucket)
        case .deleteObjects: try await deleteObjects(request, bucket)
        case .postObject: try await postObject(request, bucket)
        case .getObject: try await getObject(request, bucket, key, head: false)
        case .headObject: try await getObject(request, bucket, key, head: true)
        case .putObject: try await putObject(request, bucket, key)
        case .copyObject: try await copyObject(request, bucket, key)
        case .deleteObject: try await deleteObject(request, bucket, key)
        case .getObjectTagging: try await getObjectTagging(request, bucket, key)
        case .putObjectTagging: try await putObjectTagging(request, bucket, key)
        case .deleteObjectTagging: try await deleteObjectTagging(request, bucket, key)
        case .createMultipartUpload: try await createMultipartUpload(request, bucket, key)
        case .uploadPart: try await uploadPart(request, bucket, key)
        case .uploadPartCopy: try await uploadPartCopy(request, bucket, key)
        case .completeMultipartUpload: try await completeMultipartUpload(request, bucket, key)
        case .abortMultipartUpload: try await abortMultipartUpload(request, bucket, key)
        case .listParts: try await listParts(request, bucket, key)
        case .getBucketAcl: try await getBucketAcl(request, bucket)
        case .putBucketAcl: try await putBucketAcl(request, bucket)
        case .getObjectAcl: try await getObjectAcl(request, bucket, key)
        case .putObjectAcl: try await putObjectAcl(request, bucket, key)
        case .getBucketOwnershipControls: try await getBucketOwnershipControls(request, bucket)
        case .putBucketOwnershipControls: try await putBucketOwnershipControls(request, bucket)
        case .deleteBucketOwnershipControls: try await deleteBucketOwnershipControls(request, bucket)
        case .getBucketPolicy: try await getBucketPolicy(request, bucket)
        case .putBucketPolicy: try await putBucketPolicy(request, bucket)
        case .deleteBucketPolicy: try await deleteBucketPolicy(request, bucket)
        case .getBucketPolicyStatus: try await getBucketPolicyStatus(request, bucket)
        }
    }

    // MARK: Shared helpers

    /// Requires the action: identity-based policies through the authorization hook, the bucket policy and ACLs
    /// (``authorizeAccess(_:_:_:context:signer:version:)``); a denial is S3's `AccessDenied`.
    func authorize(
        _ request: AWSRequest,
        _ action: String,
        _ resources: [String],
        context: @autoclosure () -> [String: [String]] = [:],
        version: ACLAuthorization.ObjectVersion = .requested
    ) async throws {
        try await authorizeAccess(request, action, resources, context: context, version: version)
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

    private func preflight(_ request: AWSRequest, target: S3Target) async throws -> Response {
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
