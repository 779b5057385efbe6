import Foundation
import Testing

@testable import S3Service

@Suite struct XMLTests {
    @Test func corsRoundTrip() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <CORSRule><ID>r1</ID><AllowedHeader>*</AllowedHeader><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
              <AllowedOrigin>https://*.example.com</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>
            </CORSConfiguration>
            """
        let rules = try ConfigurationXML.parseCORS(Data(xml.utf8))
        #expect(
            rules == [
                CORSRule(
                    id: "r1",
                    allowedHeaders: ["*"],
                    allowedMethods: ["GET", "PUT"],
                    allowedOrigins: ["https://*.example.com"],
                    exposeHeaders: ["ETag"],
                    maxAgeSeconds: 3000
                )
            ]
        )
        let rendered = ConfigurationXML.renderCORS(rules)
        #expect(
            rendered
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CORSConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><CORSRule><ID>r1</ID><AllowedHeader>*</AllowedHeader><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>https://*.example.com</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>"
        )
        #expect(try ConfigurationXML.parseCORS(Data(rendered.utf8)) == rules)
    }

    @Test func corsRejectsUnsupportedMethodAndMalformedXML() {
        let patch = "<CORSConfiguration><CORSRule><AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>"
        #expect(throws: S3Error.invalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is PATCH")) {
            try ConfigurationXML.parseCORS(Data(patch.utf8))
        }
        #expect(throws: S3Error.malformedXML) { try ConfigurationXML.parseCORS(Data("<CORSConfiguration><CORSRule>".utf8)) }
        #expect(throws: S3Error.malformedXML) { try ConfigurationXML.parseCORS(Data("<CORSConfiguration/>".utf8)) }
    }

    @Test func lifecycleFilterShapes() throws {
        let xml = """
            <LifecycleConfiguration>
              <Rule><ID>and</ID><Filter><And><Prefix>tmp/</Prefix><Tag><Key>t</Key><Value>1</Value></Tag></And></Filter>
                <Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>
              <Rule><ID>legacy</ID><Prefix>old/</Prefix><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration></Rule>
              <Rule><ID>abort</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>
                <AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
            </LifecycleConfiguration>
            """
        let rules = try ConfigurationXML.parseLifecycle(Data(xml.utf8))
        #expect(rules.count == 3)
        #expect(rules[0].prefix == "tmp/" && rules[0].tags == [S3Tag(key: "t", value: "1")] && rules[0].expirationDays == 3)
        #expect(!rules[1].usesFilter && rules[1].status == "Disabled" && rules[1].expirationDate != nil)
        #expect(rules[2].abortIncompleteMultipartUploadDays == 2)
        let rendered = ConfigurationXML.renderLifecycle(rules)
        #expect(rendered.contains("<Filter><And><Prefix>tmp/</Prefix><Tag><Key>t</Key><Value>1</Value></Tag></And></Filter>"))
        #expect(rendered.contains("<Prefix>old/</Prefix><Status>Disabled</Status>"))
        #expect(try ConfigurationXML.parseLifecycle(Data(rendered.utf8)) == rules)
    }

    @Test func lifecycleValidation() {
        let zero =
            "<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule></LifecycleConfiguration>"
        #expect(throws: S3Error.self) { try ConfigurationXML.parseLifecycle(Data(zero.utf8)) }
        let noAction = "<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status></Rule></LifecycleConfiguration>"
        #expect(throws: S3Error.invalidRequest("At least one action needs to be specified in a rule")) {
            try ConfigurationXML.parseLifecycle(Data(noAction.utf8))
        }
        // LifecycleRuleFilter is a union: And beside another member (or a second And) is malformed.
        let and = "<And><Prefix>p/</Prefix><Tag><Key>a</Key><Value>b</Value></Tag><Tag><Key>c</Key><Value>d</Value></Tag></And>"
        for beside in ["<Tag><Key>a</Key><Value>b</Value></Tag>", "<Prefix>p/</Prefix>", "<ObjectSizeGreaterThan>1</ObjectSizeGreaterThan>", and] {
            let both =
                "<LifecycleConfiguration><Rule><Filter>\(beside)\(and)</Filter><Status>Enabled</Status>"
                + "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"
            #expect(throws: S3Error.malformedXML) { try ConfigurationXML.parseLifecycle(Data(both.utf8)) }
        }
    }

    @Test func notificationRulesAreCaseInsensitive() throws {
        let xml = """
            <NotificationConfiguration><CloudFunctionConfiguration><Id>c1</Id>
              <Filter><S3Key><FilterRule><Name>Prefix</Name><Value>lectures/</Value></FilterRule>
              <FilterRule><Name>SUFFIX</Name><Value>.wav</Value></FilterRule></S3Key></Filter>
              <CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event>
            </CloudFunctionConfiguration></NotificationConfiguration>
            """
        let targets = try ConfigurationXML.parseNotification(Data(xml.utf8))
        #expect(targets.count == 1)
        #expect(targets[0].prefix == "lectures/" && targets[0].suffix == ".wav" && targets[0].kind == .lambda)
        #expect(targets[0].matches(eventName: "ObjectCreated:Put", key: "lectures/a.wav"))
        #expect(!targets[0].matches(eventName: "ObjectCreated:Put", key: "lectures/a.mp3"))
        #expect(!targets[0].matches(eventName: "ObjectRemoved:Delete", key: "lectures/a.wav"))
        #expect(try ConfigurationXML.parseNotification(Data(ConfigurationXML.renderNotification(targets).utf8)) == targets)
    }

    @Test func taggingLimits() throws {
        let tags = (0..<11).map { "<Tag><Key>k\($0)</Key><Value>v</Value></Tag>" }.joined()
        #expect(throws: S3Error.badRequest("Object tags cannot be greater than 10")) {
            try ConfigurationXML.parseTagging(Data("<Tagging><TagSet>\(tags)</TagSet></Tagging>".utf8), maxTags: 10)
        }
        #expect(try ConfigurationXML.parseTaggingHeader("a=1&b=two%20words") == [S3Tag(key: "a", value: "1"), S3Tag(key: "b", value: "two words")])
        // A system key: the header's text differs from the tagging bodies'.
        #expect(throws: S3Error.invalidTag("Your TagKey cannot be prefixed with aws:")) { try ConfigurationXML.parseTaggingHeader("aws:foo=bar") }
        let system = "<Tagging><TagSet><Tag><Key>aws:foo</Key><Value>bar</Value></Tag></TagSet></Tagging>"
        #expect(throws: S3Error.invalidTag("System tags cannot be added/updated by requester")) {
            try ConfigurationXML.parseTagging(Data(system.utf8), maxTags: 10)
        }
    }

    @Test func escapingInRenderedDocuments() {
        let rendered = ConfigurationXML.renderTagging([S3Tag(key: "a&b", value: "<x>")])
        #expect(rendered.contains("<Key>a&amp;b</Key><Value>&lt;x&gt;</Value>"))
    }
}
