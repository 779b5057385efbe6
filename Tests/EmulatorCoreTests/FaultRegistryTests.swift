import EmulatorCore
import Foundation
import Testing

/// The fault registry's selection (service, operation, resource, rate) and expiry (count, virtual time), and the
/// `POST /_local/faults` body's validation.
@Suite struct FaultRegistryTests {
    private let services: Set<String> = ["dynamodb", "s3", "lambda", "execute-api"]
    private let real = Date(timeIntervalSince1970: 1_800_000_000)

    private func rule(_ json: String, now: Date? = nil) throws(FaultSpecError) -> FaultRule {
        try FaultRuleParser.parse(Data(json.utf8), knownServices: services, now: now ?? real)
    }

    private func check(_ registry: FaultRegistry, _ service: String, _ operation: String?, resources: [String] = []) -> FaultRule.Effect? {
        registry.check(service: service, operation: operation, at: .gateway, requestId: "r", resources: { resources })
    }

    @Test("next N: a count of 2 fails exactly the next two matching calls, then expires")
    func nextN() throws {
        let registry = FaultRegistry(clock: VirtualClock(realNow: { real }), random: EmulatorRandom(seed: 1))
        #expect(registry.isEmpty)
        let added = try #require(registry.add(try rule(#"{"service":"dynamodb","operation":"PutItem","error":"ThrottlingException","count":2}"#)))
        #expect(added.id == "fault-1")
        #expect(check(registry, "dynamodb", "GetItem") == nil)
        #expect(check(registry, "s3", "PutItem") == nil)
        guard case .error(let error) = check(registry, "dynamodb", "PutItem") else {
            Issue.record("expected an error")
            return
        }
        #expect(error.code == "ThrottlingException")
        #expect(error.httpStatus == 400)
        #expect(error.jsonType == "com.amazon.coral.availability#ThrottlingException")
        #expect(check(registry, "dynamodb", "PutItem") != nil)
        #expect(check(registry, "dynamodb", "PutItem") == nil)
        #expect(registry.isEmpty)
        let snapshot = registry.snapshot()
        #expect(snapshot.active.isEmpty)
        #expect(snapshot.injected.map(\.operation) == ["PutItem", "PutItem"])
        #expect(snapshot.injected.allSatisfy { $0.faultId == "fault-1" && $0.effect == "ThrottlingException" })
    }

    @Test("expiry by virtual time: the fault stops once the clock passes its duration")
    func expiryByTime() throws {
        let clock = VirtualClock(realNow: { real })
        let registry = FaultRegistry(clock: clock, random: EmulatorRandom(seed: 1))
        _ = registry.add(try rule(#"{"service":"s3","error":"SlowDown","duration":"10m"}"#, now: clock.now))
        #expect(check(registry, "s3", "GetObject") != nil)
        clock.advance(by: 599)
        #expect(check(registry, "s3", "PutObject") != nil)
        clock.advance(by: 1)
        #expect(check(registry, "s3", "PutObject") == nil)
        #expect(registry.snapshot().active.isEmpty)
    }

    @Test("resources: bucket, bucket/prefix, exact table names")
    func resources() throws {
        let registry = FaultRegistry(clock: VirtualClock(realNow: { real }), random: EmulatorRandom(seed: 1))
        _ = registry.add(try rule(#"{"service":"s3","resource":"uploads/lectures/","error":"InternalError"}"#))
        _ = registry.add(try rule(#"{"service":"dynamodb","resource":"Turns","error":"ProvisionedThroughputExceededException"}"#))
        #expect(check(registry, "s3", "GetObject", resources: ["uploads/lectures/a.mp3"]) != nil)
        #expect(check(registry, "s3", "GetObject", resources: ["uploads/other/a.mp3"]) == nil)
        #expect(check(registry, "s3", "GetObject", resources: ["uploads2/lectures/a"]) == nil)
        #expect(check(registry, "dynamodb", "PutItem", resources: ["Turns"]) != nil)
        #expect(check(registry, "dynamodb", "PutItem", resources: ["TurnsArchive"]) == nil)
        #expect(check(registry, "dynamodb", "BatchWriteItem", resources: ["Other", "Turns"]) != nil)
        let bucketOnly = FaultRule(id: "x", service: "s3", operation: nil, resource: "uploads", effect: .latency(milliseconds: 1), createdAt: real)
        #expect(bucketOnly.matches(resources: ["uploads/a"]))
        #expect(bucketOnly.matches(resources: ["uploads"]))
        #expect(!bucketOnly.matches(resources: ["uploads2/a"]))
    }

    @Test("rates repeat with the same seed and differ with another")
    func seededRates() throws {
        func pattern(seed: UInt64) throws -> [Bool] {
            let registry = FaultRegistry(clock: VirtualClock(realNow: { real }), random: EmulatorRandom(seed: seed))
            _ = registry.add(try rule(#"{"service":"dynamodb","error":"ThrottlingException","rate":0.5}"#))
            return (0..<64).map { _ in check(registry, "dynamodb", "PutItem") != nil }
        }
        let first = try pattern(seed: 7)
        #expect(first == (try pattern(seed: 7)))
        #expect(first != (try pattern(seed: 8)))
        #expect(first.contains(true) && first.contains(false))
    }

    @Test("Lambda function-level effects are not applied at the front door, and the reverse")
    func stages() throws {
        let registry = FaultRegistry(clock: VirtualClock(realNow: { real }), random: EmulatorRandom(seed: 1))
        _ = registry.add(try rule(#"{"service":"lambda","resource":"arn:aws:lambda:us-east-1:000000000000:function:Query","effect":"timeout"}"#))
        #expect(check(registry, "lambda", "Invoke", resources: ["Query"]) == nil)
        let effect = registry.check(service: "lambda", operation: "Invoke", at: .lambdaInvocation, requestId: "r", resources: { ["Query"] })
        #expect(effect == .functionTimeout)
    }

    @Test("remove and clear")
    func removeAndClear() throws {
        let registry = FaultRegistry(clock: VirtualClock(realNow: { real }), random: EmulatorRandom(seed: 1))
        _ = registry.add(try rule(#"{"service":"s3","error":"SlowDown"}"#))
        _ = registry.add(try rule(#"{"service":"s3","latencyMs":20}"#))
        #expect(registry.remove(id: "fault-1"))
        #expect(!registry.remove(id: "fault-1"))
        #expect(check(registry, "s3", "GetObject") == .latency(milliseconds: 20))
        #expect(registry.clear() == 1)
        #expect(registry.isEmpty)
        #expect(registry.snapshot().injected.isEmpty)
    }

    @Test(
        "bad bodies are refused with a message",
        arguments: [
            ("[]", "JSON object"),
            (#"{"operation":"PutItem","error":"ThrottlingException"}"#, "service is required"),
            (#"{"service":"sqs","error":"X"}"#, "unknown service 'sqs'"),
            (#"{"service":"dynamodb"}"#, "needs an effect"),
            (#"{"service":"dynamodb","error":"NoSuchThing"}"#, "give its HTTP status"),
            (#"{"service":"dynamodb","error":"ThrottlingException","latencyMs":5}"#, "not both"),
            (#"{"service":"dynamodb","error":"ThrottlingException","rate":1.5}"#, "rate must be"),
            (#"{"service":"dynamodb","error":"ThrottlingException","rate":0}"#, "rate must be"),
            (#"{"service":"dynamodb","error":"ThrottlingException","count":0}"#, "count must be"),
            (#"{"service":"dynamodb","error":"ThrottlingException","count":1e30}"#, "count must be"),
            (#"{"service":"dynamodb","error":"ThrottlingException","duration":"soon"}"#, "duration must be"),
            (#"{"service":"dynamodb","error":"ThrottlingException","duration":"1e400"}"#, "duration must be"),
            (#"{"service":"dynamodb","error":"ThrottlingException","until":"2000-01-01T00:00:00Z"}"#, "until must be later"),
            (#"{"service":"dynamodb","effect":"timeout"}"#, "Lambda invocations only"),
            (#"{"service":"dynamodb","latencyMs":1e12}"#, "latencyMs must be"),
            (#"{"service":"dynamodb","error":"ThrottlingException","status":200}"#, "status must be"),
            (#"{"service":"dynamodb","error":"ThrottlingException","colour":"red"}"#, "unknown member 'colour'"),
        ]
    )
    func badBodies(body: String, expected: String) {
        #expect(throws: FaultSpecError.self) { try rule(body) }
        do {
            _ = try rule(body)
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test("aliases, custom codes and overrides")
    func parsing() throws {
        let gone = try rule(#"{"service":"apigatewaymanagementapi","operation":"PostToConnection","error":"GoneException"}"#)
        #expect(gone.service == "execute-api")
        #expect(gone.effect == .error(InjectedError(code: "GoneException", message: "", httpStatus: 410, emptyBody: true)))
        let custom = try rule(#"{"service":"s3","error":"RequestTimeout","status":400,"message":"Your socket connection timed out."}"#)
        #expect(custom.effect == .error(InjectedError(code: "RequestTimeout", message: "Your socket connection timed out.", httpStatus: 400)))
        let initFailure = try rule(#"{"service":"lambda","operation":"Invoke","effect":"initFailure","errorType":"Runtime.ExitError"}"#)
        guard case .initFailure(let failure) = initFailure.effect else {
            Issue.record("expected an init failure")
            return
        }
        #expect(failure.errorType == "Runtime.ExitError")
        #expect(try rule(#"{"service":"s3","operation":"*","latencyMs":5}"#).operation == nil)
        // 0 and 1 are numbers, not booleans (Foundation bridges both to Bool).
        #expect(try rule(#"{"service":"s3","error":"SlowDown","count":1,"rate":1}"#).remaining == 1)
        #expect(throws: FaultSpecError.self) { try rule(#"{"service":"s3","error":"SlowDown","count":true}"#) }
    }
}
