import AWSGateway
import EmulatorCore
import Foundation
import IAM

extension IAMService {
    /// Groups (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html): CreateGroup, GetGroup (with its
    /// users), ListGroups, UpdateGroup (rename, new path), DeleteGroup, AddUserToGroup, RemoveUserFromGroup,
    /// ListGroupsForUser. A member's requests are evaluated with the group's inline and attached policies too.
    func groups(_ operation: IAMOperation, _ input: IAMInput, now: Date, into result: inout XMLWriter) throws(IAMError) {
        switch operation {
        case .createGroup:
            let name = try input.entityName("GroupName", member: "groupName", maxLength: 128)
            let path = try input.path()
            let record = try directory.mutate { (state: inout IAMState) throws(IAMError) -> IAMGroupRecord in
                guard !state.groups.keys.contains(where: { $0.lowercased() == name.lowercased() }) else {
                    throw IAMError.entityAlreadyExists("Group with name \(name) already exists.")
                }
                let record = IAMGroupRecord(
                    name: name,
                    path: path,
                    groupId: IAMIdentifiers.random(prefix: "AGPA"),
                    arn: "arn:aws:iam::\(accountId):group\(path)\(name)",
                    createDate: now
                )
                state.groups[name] = record
                return record
            }
            result.element("Group") { Self.write(group: record, into: &$0) }
        case .getGroup:
            let name = try input.required("GroupName", member: "groupName")
            let state = directory.state
            let record = try Self.group(name, in: state)
            let page = try Self.page(record.members.compactMap { state.users[$0] }, input)
            result.element("Group") { Self.write(group: record, into: &$0) }
            result.element("Users") { xml in
                for user in page.items { xml.element("member") { Self.write(user: user, into: &$0, withTags: false) } }
            }
            Self.writeTruncation(page, into: &result)
        case .listGroups:
            let prefix = input["PathPrefix"] ?? "/"
            try writeGroups(directory.state.groups.values.filter { $0.path.hasPrefix(prefix) }, input, into: &result)
        case .listGroupsForUser:
            let userName = try input.required("UserName", member: "userName")
            let state = directory.state
            _ = try Self.user(userName, in: state)
            try writeGroups(state.groups(ofUser: userName), input, into: &result)
        case .updateGroup:
            let name = try input.required("GroupName", member: "groupName")
            let newName = input["NewGroupName"] != nil ? try input.entityName("NewGroupName", member: "newGroupName", maxLength: 128) : nil
            let newPath = input["NewPath"] != nil ? try IAMInput(["Path": input["NewPath"] ?? "/"]).path() : nil
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var record = try Self.group(name, in: state)
                if let newName, newName.lowercased() != name.lowercased(),
                    state.groups.keys.contains(where: { $0.lowercased() == newName.lowercased() })
                {
                    throw IAMError.entityAlreadyExists("Group with name \(newName) already exists.")
                }
                record.name = newName ?? record.name
                record.path = newPath ?? record.path
                record.arn = "arn:aws:iam::\(accountId):group\(record.path)\(record.name)"
                state.groups[name] = nil
                state.groups[record.name] = record
            }
        case .deleteGroup:
            let name = try input.required("GroupName", member: "groupName")
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                let record = try Self.group(name, in: state)
                if !record.members.isEmpty { throw IAMError.mustRemoveFromGroups }
                if !record.attachedPolicyArns.isEmpty { throw IAMError.mustDetachPolicies }
                if !record.inlinePolicies.isEmpty { throw IAMError.mustDeletePolicies }
                state.groups[name] = nil
            }
        case .addUserToGroup, .removeUserFromGroup:
            let name = try input.required("GroupName", member: "groupName")
            let userName = try input.required("UserName", member: "userName")
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                var record = try Self.group(name, in: state)
                _ = try Self.user(userName, in: state)
                if operation == .addUserToGroup {
                    if !record.members.contains(userName) { record.members.append(userName) }
                } else {
                    guard let index = record.members.firstIndex(of: userName) else { throw IAMError.noSuchUser(userName) }
                    record.members.remove(at: index)
                }
                state.groups[name] = record
            }
        default:
            break
        }
    }

    private func writeGroups(_ groups: some Collection<IAMGroupRecord>, _ input: IAMInput, into result: inout XMLWriter) throws(IAMError) {
        let page = try Self.page(groups.sorted { $0.name < $1.name }, input)
        result.element("Groups") { xml in
            for group in page.items { xml.element("member") { Self.write(group: group, into: &$0) } }
        }
        Self.writeTruncation(page, into: &result)
    }

    private static func write(group record: IAMGroupRecord, into xml: inout XMLWriter) {
        xml.element("Path", record.path)
        xml.element("GroupName", record.name)
        xml.element("GroupId", record.groupId)
        xml.element("Arn", record.arn)
        xml.element("CreateDate", Timestamp.iso8601(record.createDate))
    }
}

extension IAMService {
    /// [ListEntitiesForPolicy](https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListEntitiesForPolicy.html):
    /// the roles, users and groups a managed policy is attached to (`EntityFilter` `Role`, `User`, `Group`;
    /// `PathPrefix`), one page over all three.
    func listEntitiesForPolicy(_ input: IAMInput, into result: inout XMLWriter) throws(IAMError) {
        let arn = try input.policyArn()
        let state = directory.state
        guard state.policies[arn] != nil || ManagedPolicies.entries.contains(where: { $0.arn == arn }) else {
            throw IAMError.policyNotFound(arn)
        }
        let filter = input["EntityFilter"]
        let allowedFilters = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
        if let filter, !allowedFilters.contains(filter) {
            throw IAMError.constraint(
                "entityFilter",
                value: filter,
                "Member must satisfy enum value set: [\(allowedFilters.joined(separator: ", "))]"
            )
        }
        let prefix = input["PathPrefix"] ?? "/"
        func wanted(_ kind: String, path: String, attached: [String]) -> Bool {
            (filter == nil || filter == kind) && path.hasPrefix(prefix) && attached.contains(arn)
        }
        // (element, name element, id element, name, id), in IAM's order: groups, users, roles.
        var entities: [(String, String, String, String, String)] = []
        for group in state.groups.values.sorted(by: { $0.name < $1.name }) where wanted("Group", path: group.path, attached: group.attachedPolicyArns)
        {
            entities.append(("PolicyGroups", "GroupName", "GroupId", group.name, group.groupId))
        }
        for user in state.users.values.sorted(by: { $0.name < $1.name }) where wanted("User", path: user.path, attached: user.attachedPolicyArns) {
            entities.append(("PolicyUsers", "UserName", "UserId", user.name, user.userId))
        }
        for role in state.roles.values.sorted(by: { $0.name < $1.name }) where wanted("Role", path: role.path, attached: role.attachedPolicyArns) {
            entities.append(("PolicyRoles", "RoleName", "RoleId", role.name, role.roleId))
        }
        let page = try Self.page(entities, input)
        for element in ["PolicyGroups", "PolicyUsers", "PolicyRoles"] {
            result.element(element) { xml in
                for entity in page.items where entity.0 == element {
                    xml.element("member") { xml in
                        xml.element(entity.1, entity.3)
                        xml.element(entity.2, entity.4)
                    }
                }
            }
        }
        Self.writeTruncation(page, into: &result)
    }
}
