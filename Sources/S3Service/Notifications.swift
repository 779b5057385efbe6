import EmulatorCore
import Foundation
import Logging
import Synchronization

/// Builds S3 event notifications and delivers them to Lambda targets through ``LambdaInvoking``.
package final class S3EventNotifier: Sendable {
    private let invoker: (any LambdaInvoking)?
    private let logger: Logger
    private let counter = Atomic<UInt64>(0)
    private let profile: RealismProfile
    private let random: any RealismRandomSource

    /// One event's facts.
    package struct Event: Sendable {
        /// `ObjectCreated:Put` and the like (without `s3:`).
        package var eventName: String
        /// The bucket.
        package var bucket: String
        /// The key (not encoded).
        package var key: String
        /// The size (created events only).
        package var size: Int?
        /// The ETag without quotes (created events only).
        package var eTag: String?
        /// The version id, if versioned.
        package var versionId: String?
        /// The event time.
        package var time: Date
        /// The region.
        package var region: String
        /// The caller's principal id (`AWS:AKID`).
        package var principalId: String
        /// The caller's IP address.
        package var sourceIPAddress: String
        /// `x-amz-request-id` of the request.
        package var requestId: String
        /// `x-amz-id-2` of the request.
        package var hostId: String
        /// The sequencer.
        package var sequencer: String
    }

    /// Creates the notifier.
    /// - Parameters:
    ///   - invoker: The Lambda service's in-process invoker, or nil while Lambda is not available.
    ///   - logger: The logger.
    ///   - profile: The realism profile: notification delay, duplicates and dropped events (none by default).
    ///   - random: Where the profile's random choices come from.
    package init(
        invoker: (any LambdaInvoking)?,
        logger: Logger,
        profile: RealismProfile = .default,
        random: any RealismRandomSource = SystemRealismRandom()
    ) {
        self.invoker = invoker
        self.logger = logger
        self.profile = profile
        self.random = random
    }

    /// The Lambda targets S3 may not invoke, as PutBucketNotificationConfiguration checks them: each function's
    /// resource-based policy must allow `s3.amazonaws.com` from the bucket (`AWS:SourceArn`) and its owner's account
    /// (`AWS:SourceAccount`); a function that does not exist is not allowed either.
    /// - Parameters:
    ///   - functionArns: The targets' function ARNs.
    ///   - bucket: The bucket.
    ///   - accountId: The bucket owner's account.
    /// - Returns: The refused ARNs, in order, without repeats (empty while Lambda is not available).
    package func unauthorizedTargets(_ functionArns: [String], bucket: String, accountId: String) -> [String] {
        guard let invoker else { return [] }
        var refused: [String] = []
        for arn in functionArns where !refused.contains(arn) {
            if !invoker.isInvokeAllowed(function: arn, principal: Self.principal, sourceArn: "arn:aws:s3:::\(bucket)", sourceAccount: accountId) {
                refused.append(arn)
            }
        }
        return refused
    }

    /// S3's service principal.
    static let principal = "s3.amazonaws.com"

    /// How many times the profile delivers one event to one target (0 dropped, 1, or 2 duplicated), each with its
    /// delay: AWS delivers notifications at least once, usually within seconds, and drops an event whose delivery
    /// failed after its retries.
    private func deliveries() -> [Duration?] {
        guard !profile.isDefault else { return [nil] }
        if RealismProfile.happens(profile.s3NotificationFailureRate, using: random) { return [] }
        let count = RealismProfile.happens(profile.s3NotificationDuplicateRate, using: random) ? 2 : 1
        return (0..<count).map { _ -> Duration? in
            let low = profile.s3NotificationDelayMin
            let span = profile.s3NotificationDelayMax - low
            let seconds = low + span * random.nextUnit()
            return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded())) : nil
        }
    }

    /// The bucket owner id put in events and listings.
    package static let ownerPrincipalId = "A3SYNAPSCRIBELOCAL"

    /// A sequencer that increases for each event: milliseconds since 1970 then a counter, in hex.
    /// - Parameter now: The time.
    /// - Returns: The sequencer.
    package func nextSequencer(now: Date) -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        let milliseconds = UInt64(max(0, Timestamp.epochMilliseconds(now)))
        return String(format: "%012llX%06llX", milliseconds, count & 0xFF_FFFF)
    }

    /// Delivers an event to every matching Lambda target of a bucket.
    /// - Parameters:
    ///   - event: The event.
    ///   - targets: The bucket's notification targets.
    package func deliver(_ event: Event, targets: [NotificationTarget]) async {
        for target in targets where target.kind == .lambda && target.matches(eventName: event.eventName, key: event.key) {
            let payload = Self.payload(event, configurationId: target.id)
            guard let invoker else {
                logger.warning("notification to \(target.arn) dropped: Lambda not available")
                continue
            }
            let plan = deliveries()
            if plan.isEmpty {
                logger.warning(
                    "Realism profile: notification to \(target.arn) dropped (delivery failed after retries)",
                    metadata: ["event": .string(event.eventName), "key": .string(event.key), "sequencer": .string(event.sequencer)]
                )
            } else if plan.count > 1 {
                logger.info(
                    "Realism profile: notification to \(target.arn) delivered twice",
                    metadata: ["event": .string(event.eventName), "key": .string(event.key), "sequencer": .string(event.sequencer)]
                )
            }
            for delay in plan {
                var context = LambdaInvocationContext(sourcePrincipal: Self.principal, sourceArn: "arn:aws:s3:::\(event.bucket)")
                context.deliveryDelay = delay
                do {
                    _ = try await invoker.invoke(function: target.arn, payload: payload, invocationType: .event, context: context)
                } catch {
                    logger.warning(
                        "notification to \(target.arn) failed",
                        metadata: ["error": .string(String(describing: error)), "event": .string(event.eventName)]
                    )
                }
            }
        }
    }

    /// The event JSON, as AWS documents the S3 notification structure (event version 2.1).
    /// - Parameters:
    ///   - event: The event.
    ///   - configurationId: The notification configuration id.
    /// - Returns: The JSON bytes.
    package static func payload(_ event: Event, configurationId: String) -> Data {
        var object: [String: Any] = ["key": encodeKey(event.key), "sequencer": event.sequencer]
        if let size = event.size { object["size"] = size }
        if let eTag = event.eTag { object["eTag"] = eTag }
        if let versionId = event.versionId { object["versionId"] = versionId }
        let record: [String: Any] = [
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": event.region,
            "eventTime": Timestamp.iso8601Milliseconds(event.time),
            "eventName": event.eventName,
            "userIdentity": ["principalId": event.principalId],
            "requestParameters": ["sourceIPAddress": event.sourceIPAddress],
            "responseElements": ["x-amz-request-id": event.requestId, "x-amz-id-2": event.hostId],
            "s3": [
                "s3SchemaVersion": "1.0",
                "configurationId": configurationId,
                "bucket": [
                    "name": event.bucket,
                    "ownerIdentity": ["principalId": ownerPrincipalId],
                    "arn": "arn:aws:s3:::\(event.bucket)",
                ] as [String: Any],
                "object": object,
            ] as [String: Any],
        ]
        return (try? JSONSerialization.data(withJSONObject: ["Records": [record]], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// Encodes a key as S3 does in events and in listings asked for `encoding-type=url`: form encoding (space as
    /// `+`, `+` as `%2B`, other bytes outside `A-Z a-z 0-9 - _ . *` as `%XX` of their UTF-8), `/` kept.
    ///
    /// Listings measured on S3 answer `a b.txt` as `a+b.txt`, `a+b.txt` as `a%2Bb.txt`, `(test)` as `%28test%29`
    /// and `한글/x` as `%ED%95%9C%EA%B8%80/x`; botocore decodes these elements with `unquote_plus`, so its callers
    /// get the stored key back either way. README.md (S3 section) keeps the evidence.
    /// - Parameter key: The key.
    /// - Returns: The encoded key.
    package static func encodeKey(_ key: String) -> String {
        var out = ""
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "*"), UInt8(ascii: "/"):
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: " "):
                out.append("+")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

extension NotificationTarget {
    /// Why events for an SQS or SNS target are not delivered, as logged and listed by `validate`; nil for Lambda.
    /// - Parameters:
    ///   - kind: The destination kind.
    ///   - arn: The destination ARN.
    /// - Returns: `names ARN: stored and returned by GetBucketNotificationConfiguration, but no event is delivered (SQS is not emulated)`.
    package static func undeliveredReason(kind: Kind, arn: String) -> String? {
        let service: String
        switch kind {
        case .lambda: return nil
        case .queue: service = "SQS"
        case .topic: service = "SNS"
        }
        return "names \(arn): stored and returned by GetBucketNotificationConfiguration, but no event is delivered (\(service) is not emulated)"
    }

    /// The warning logged for an SQS or SNS target of a bucket; nil for Lambda.
    /// - Parameter bucket: The bucket name.
    /// - Returns: The warning text.
    package func undeliveredWarning(bucket: String) -> String? {
        Self.undeliveredReason(kind: kind, arn: arn).map { "S3 bucket \(bucket): notification \(id) \($0)" }
    }
}

extension S3Service {
    /// Why a bucket of a template cannot be created with its notifications: CloudFormation's reason when a
    /// `LambdaConfigurations` entry names a function S3 may not invoke (no `AWS::Lambda::Permission` for
    /// `s3.amazonaws.com`, or one created after the bucket: the bucket needs `DependsOn` on it).
    /// - Parameter spec: The bucket.
    /// - Returns: The reason, or nil when every target may be invoked.
    package func notificationRefusal(_ spec: S3BucketSpec) -> String? {
        let refused = notifier.unauthorizedTargets(
            spec.lambdaNotifications.map(\.functionArn),
            bucket: spec.name,
            accountId: environment.current.accountId
        )
        guard !refused.isEmpty else { return nil }
        let targets = refused.map { "Not authorized to invoke function [\($0)]" }.joined(separator: "; ")
        return "Unable to validate the following destination configurations (Service: S3, Status Code: 400): \(targets). "
            + "Add an AWS::Lambda::Permission for s3.amazonaws.com (SourceArn the bucket ARN, SourceAccount the account) and make the bucket "
            + "DependsOn it."
    }
}
