import CloudFormation
import Foundation

/// One stack deployed through the CloudFormation API, as persisted in `cloudformation.sqlite`.
package struct StackRecord: Codable, Sendable, Equatable {
    /// The stack name.
    package var name: String
    /// The stack ARN.
    package var stackId: String
    /// The template description.
    package var description: String?
    /// The template text as sent.
    package var templateBody: String
    /// The parameter values the stack was deployed with, by key.
    package var parameters: [ParameterRecord]
    /// The capabilities acknowledged.
    package var capabilities: [String]
    /// The stack tags.
    package var tags: [TagRecord]
    /// `CREATE_COMPLETE`, `ROLLBACK_COMPLETE`, `UPDATE_COMPLETE`, `DELETE_COMPLETE`, `REVIEW_IN_PROGRESS`...
    package var status: String
    /// Why the stack is in its status.
    package var statusReason: String?
    /// When it was created.
    package var creationTime: Date
    /// When it was last updated.
    package var lastUpdatedTime: Date?
    /// When it was deleted.
    package var deletionTime: Date?
    /// The resources, in dependency order.
    package var resources: [ResourceRecord]
    /// The outputs.
    package var outputs: [OutputRecord]
    /// The export names the template imports.
    package var imports: [String]
    /// Events, oldest first.
    package var events: [EventRecord]
    /// Change sets, oldest first.
    package var changeSets: [ChangeSetRecord]
    /// How many times updates replaced each resource, by logical id (absent: never), so a replacement's generated
    /// physical id differs from its predecessor's and later updates keep it; nil in records written before it existed.
    package var generations: [String: Int]? = nil

    /// Whether the stack has been deleted (it stays listed by `ListStacks` and found by its ARN).
    package var isDeleted: Bool { status == "DELETE_COMPLETE" }
}

/// A parameter value.
package struct ParameterRecord: Codable, Sendable, Equatable {
    /// The parameter name.
    package var key: String
    /// The value.
    package var value: String
    /// Whether the template marks it `NoEcho` (described as `****`).
    package var noEcho: Bool
}

/// A stack tag.
package struct TagRecord: Codable, Sendable, Equatable {
    /// The key.
    package var key: String
    /// The value.
    package var value: String
}

/// One resource of a deployed stack.
package struct ResourceRecord: Codable, Sendable, Equatable {
    /// The logical id.
    package var logicalId: String
    /// The resource type.
    package var type: String
    /// The physical id (empty when it was never created).
    package var physicalId: String
    /// `CREATE_COMPLETE`, `CREATE_FAILED`, `UPDATE_COMPLETE`, `DELETE_COMPLETE`...
    package var status: String
    /// Why it is in its status.
    package var statusReason: String?
    /// When its status last changed.
    package var timestamp: Date
    /// The resolved properties as JSON.
    package var propertiesJSON: String
    /// The `Fn::GetAtt` attributes.
    package var attributes: [String: String]
    /// The logical ids it depends on.
    package var dependsOn: [String]

    /// Whether the physical resource exists.
    package var exists: Bool {
        !["CREATE_FAILED", "DELETE_COMPLETE", "DELETE_SKIPPED"].contains(status) && !physicalId.isEmpty
    }

    /// The resource as deployers see it.
    package var stackResource: StackResource {
        let properties = (try? TemplateLoader.parseValue(propertiesJSON, fileName: "stack")) ?? .map(TemplateMap())
        return StackResource(
            logicalId: logicalId,
            type: type,
            physicalId: physicalId,
            properties: properties,
            attributes: attributes,
            dependsOn: dependsOn,
            location: nil
        )
    }
}

/// A stack output.
package struct OutputRecord: Codable, Sendable, Equatable {
    /// The output key.
    package var key: String
    /// The value.
    package var value: String
    /// The description.
    package var description: String?
    /// The export name.
    package var exportName: String?
}

/// One stack event.
package struct EventRecord: Codable, Sendable, Equatable {
    /// The event id.
    package var eventId: String
    /// The logical id (the stack name for stack events).
    package var logicalId: String
    /// The physical id (the stack ARN for stack events).
    package var physicalId: String
    /// The resource type (`AWS::CloudFormation::Stack` for stack events).
    package var type: String
    /// The status reached.
    package var status: String
    /// Why.
    package var reason: String?
    /// When.
    package var timestamp: Date
}

/// One resource change of a change set.
package struct ResourceChangeRecord: Codable, Sendable, Equatable {
    /// `Add`, `Modify` or `Remove`.
    package var action: String
    /// The logical id.
    package var logicalId: String
    /// The physical id (none for `Add`).
    package var physicalId: String?
    /// The resource type.
    package var type: String
    /// `True`, `False` or `Conditional` for `Modify`.
    package var replacement: String?
    /// The changed properties for `Modify`.
    package var changedProperties: [String]
}

/// A change set.
package struct ChangeSetRecord: Codable, Sendable, Equatable {
    /// The change set name.
    package var name: String
    /// The change set ARN.
    package var id: String
    /// `CREATE` or `UPDATE`.
    package var type: String
    /// The description.
    package var description: String?
    /// `CREATE_COMPLETE` or `FAILED`.
    package var status: String
    /// Why it failed.
    package var statusReason: String?
    /// `AVAILABLE`, `UNAVAILABLE`, `EXECUTE_COMPLETE`, `OBSOLETE`...
    package var executionStatus: String
    /// When it was created.
    package var creationTime: Date
    /// The template text.
    package var templateBody: String
    /// The parameters.
    package var parameters: [ParameterRecord]
    /// The capabilities.
    package var capabilities: [String]
    /// The tags.
    package var tags: [TagRecord]
    /// The changes.
    package var changes: [ResourceChangeRecord]
}
