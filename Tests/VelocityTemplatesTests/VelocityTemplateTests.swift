import Testing

@testable import VelocityTemplates

private func render(_ template: String, body: String = "", context: VelocityMap = VelocityMap(), stage: VelocityMap = VelocityMap()) throws -> String
{
    try VelocityTemplate.render(template, context: VelocityContext(body: body, context: context, stageVariables: stage))
}

@Suite("Velocity templates: references and text")
struct VelocityReferenceTests {
    @Test("plain text passes through, $ and # that start nothing stay literal")
    func plainText() throws {
        #expect(try render("{\"price\": 5$, \"tag\": \"#1\"}") == "{\"price\": 5$, \"tag\": \"#1\"}")
    }

    @Test("an undefined reference renders as written; the quiet form renders nothing")
    func undefinedReferences() throws {
        #expect(try render("a=$missing b=$!missing c=${missing} d=$!{missing}") == "a=$missing b= c=${missing} d=")
    }

    @Test("formal references separate from following text")
    func formalReference() throws {
        #expect(try render("#set($name = 'pet')${name}s $names") == "pets $names")
    }

    @Test("escaped references and directives are literal")
    func escapes() throws {
        #expect(try render("#set($a = 1)\\$a \\#set") == "$a #set")
    }

    @Test("comments vanish: ## to the end of the line, #* *# blocks")
    func comments() throws {
        #expect(try render("a ## note\nb #* block\nstill *#c") == "a b c")
    }

    @Test("an unclosed block comment is a syntax error with its position")
    func unclosedComment() {
        #expect(throws: VelocityError.syntax(line: 2, column: 1, message: "unclosed #* comment")) { try render("x\n#* open") }
    }
}

@Suite("Velocity templates: directives")
struct VelocityDirectiveTests {
    @Test("#set with literals, arithmetic, lists, maps and string interpolation")
    func set() throws {
        let out = try render(
            "#set($n = 2 + 3 * 4)#set($s = \"n is $n\")#set($l = [1, 'two'])#set($m = {\"k\": $n})$n|$s|$l|$m.k|$l.get(1)|$l[0]"
        )
        #expect(out == "14|n is 14|[1, two]|14|two|1")
    }

    @Test("#set into a map property, and $map.put / $list.add mutate the variable")
    func setProperty() throws {
        let out = try render("#set($m = {})#set($m.a = 1)#set($dummy = $m.put('b', 2))#set($l = [])#set($x = $l.add('z'))$m.a$m.b $l")
        #expect(out == "12 [z]")
    }

    @Test("#if / #elseif / #else choose one branch; operators, word operators and negation")
    func conditionals() throws {
        let template = "#foreach($x in [1, 5, 10])#if($x < 3)small#elseif($x == 5 && !false)five#{else}big#end #end"
        #expect(try render(template) == "small five big ")
        #expect(try render("#if(2 gt 1 and 'a' eq 'a' or false)yes#end#if(not true)no#end") == "yes")
        #expect(try render("#if($missing)set#{else}unset#end#if('')empty-string-is-true#end") == "unsetempty-string-is-true")
    }

    @Test("a directive alone on its line takes its line break and indentation with it")
    func lineGobbling() throws {
        let template = "[\n  #set($a = 1)\n  #if($a == 1)\n  one\n  #end\n]"
        #expect(try render(template) == "[\n  one\n]")
    }

    @Test("#foreach with $foreach.hasNext, index, count and #break")
    func foreach() throws {
        let out = try render("#foreach($i in [1..5])#if($i == 4)#break#end$foreach.index:$foreach.count#if($foreach.hasNext),#end#end")
        #expect(out == "0:1,1:2,2:3,")
        #expect(try render("#foreach($i in [3..1])$i#end") == "321")
    }

    /// The pet store example of "Mapping templates for REST APIs"
    /// (https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings.html).
    @Test("the documented pet store mapping template gives the documented output")
    func documentedPetStore() throws {
        let body =
            #"[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]"#
        let template = """
            #set($inputRoot = $input.path('$'))
            [
            #foreach($elem in $inputRoot)
              {
                "description" : "Item $elem.id is a $elem.type.",
                "askingPrice" : $elem.price
              }#if($foreach.hasNext),#end

            #end
            ]
            """
        let out = try render(template, body: body)
        let expected = """
            [
              {
                "description" : "Item 1 is a dog.",
                "askingPrice" : 249.99
              },

              {
                "description" : "Item 2 is a cat.",
                "askingPrice" : 124.99
              },

              {
                "description" : "Item 3 is a fish.",
                "askingPrice" : 0.99
              }

            ]
            """
        #expect(out == expected)
    }

    @Test("#stop ends the output")
    func stop() throws {
        #expect(try render("a#foreach($i in [1,2])$i#stop#end b") == "a1")
    }

    @Test("#include, #parse and #macro are refused")
    func unsupported() {
        #expect(throws: VelocityError.self) { try render("#include('x')") }
        #expect(throws: VelocityError.self) { try render("#macro(m)#end") }
    }

    @Test("a #foreach over more than 1000 items is refused, a huge range too, and nothing traps")
    func limits() throws {
        #expect(throws: VelocityError.self) { try render("#foreach($i in [1..1001])#end") }
        #expect(throws: VelocityError.self) { try render("#foreach($i in [1..99999999999])#end") }
        #expect(throws: VelocityError.arithmeticOverflow) { try render("#set($x = 9223372036854775807 + 1)") }
        #expect(try render("#set($x = 1 / 0)$!x") == "")
        #expect(try render("#foreach($i in [1..1000])#end") == "")
    }

    @Test("unbalanced blocks and deep nesting are syntax errors")
    func malformed() throws {
        #expect(throws: VelocityError.self) { try render("#if(true)x") }
        #expect(throws: VelocityError.self) { try render("#end") }
        #expect(throws: VelocityError.self) { try render("#set($a = )") }
        #expect(throws: VelocityError.self) { try render(String(repeating: "#if(true)", count: 200)) }
        #expect(throws: VelocityError.self) { try render("#set($a = " + String(repeating: "(", count: 500)) }
    }
}

@Suite("Velocity templates: $input, $util, $context, $stageVariables")
struct VelocityBuiltinTests {
    let body = #"{"name": "Ann", "tags": ["a", "b"], "address": {"city": "Oslo"}, "n": 3, "ok": true, "none": null}"#

    @Test("$input.json returns JSON text of the selection")
    func inputJSON() throws {
        #expect(
            try render("$input.json('$')", body: body) == #"{"name":"Ann","tags":["a","b"],"address":{"city":"Oslo"},"n":3,"ok":true,"none":null}"#
        )
        #expect(try render("$input.json('$.name')|$input.json('$.tags')|$input.json('$.address.city')", body: body) == #""Ann"|["a","b"]|"Oslo""#)
        #expect(try render("$input.json(\"$['address']['city']\")|$input.json('$.tags[1]')", body: body) == #""Oslo"|"b""#)
    }

    @Test("$input.path returns objects: properties, size(), lists and wildcards")
    func inputPath() throws {
        #expect(
            try render("$input.path('$.name') $input.path('$.tags').size() $input.path('$').address.city $input.path('$.n')", body: body)
                == "Ann 2 Oslo 3"
        )
        #expect(try render("#foreach($t in $input.path('$.tags[*]'))$t.toUpperCase()#end", body: body) == "AB")
        #expect(try render("$!input.path('$.missing')|$input.path('$.name').length()", body: body) == "|3")
    }

    @Test("a body that is not JSON fails $input.json but not $input.body")
    func bodyNotJSON() throws {
        #expect(try render("$input.body", body: "not json") == "not json")
        #expect(throws: VelocityError.bodyNotJSON) { try render("$input.json('$')", body: "not json") }
        #expect(throws: VelocityError.invalidJSONPath("name")) { try render("$input.json('name')", body: "{}") }
    }

    @Test("$input.params() and $input.params(name) search path, query string, then headers")
    func inputParams() throws {
        let context = VelocityContext(
            body: "",
            pathParameters: [("id", "7")],
            queryParameters: [("q", "cats"), ("id", "shadowed")],
            headers: [("X-Trace", "t1")]
        )
        let template = "$input.params('id') $input.params('q') $input.params('x-trace') [$input.params('nope')] $input.params().querystring.q"
        #expect(try VelocityTemplate(template).render(context) == "7 cats t1 [] cats")
        let all = "#foreach($type in $input.params().keySet())$type=#foreach($k in $input.params().get($type).keySet())$k#end;#end"
        #expect(try VelocityTemplate(all).render(context) == "path=id;querystring=qid;header=X-Trace;")
    }

    @Test("$util escapes and encodes as API Gateway documents")
    func util() throws {
        #expect(try render("$util.escapeJavaScript($input.body)", body: #"it's "x"/\"#) == #"it\'s \"x\"\/\\"#)
        #expect(try render("$util.escapeJavaScript($input.body)", body: "line\né") == #"line\n\u00E9"#)
        #expect(try render("$util.urlEncode('a b&c=d/é*')|$util.urlDecode('a+b%26c%3Dd%2F%C3%A9')") == "a+b%26c%3Dd%2F%C3%A9*|a b&c=d/é")
        #expect(try render("$util.base64Encode('hello')|$util.base64Decode('aGVsbG8=')") == "aGVsbG8=|hello")
        #expect(try render("#set($o = $util.parseJson($input.body))$o.a.b", body: #"{"a":{"b":"deep"}}"#) == "deep")
    }

    @Test("$context and $stageVariables are maps with nested properties")
    func contextAndStage() throws {
        let context = VelocityMap([
            (key: "requestId", value: .string("r-1")),
            (key: "identity", value: .map(VelocityMap([(key: "sourceIp", value: .string("127.0.0.1"))]))),
            (key: "requestTimeEpoch", value: .int(1_700_000_000_000)),
        ])
        let stage = VelocityMap([(key: "table", value: .string("Pets"))])
        let out = try render(
            "$context.requestId $context.identity.sourceIp $context.requestTimeEpoch $stageVariables.table $!context.nothing",
            context: context,
            stage: stage
        )
        #expect(out == "r-1 127.0.0.1 1700000000000 Pets ")
    }

    @Test("string methods used in practice")
    func stringMethods() throws {
        let out = try render(
            "#set($s = ' Hello World ')$s.trim().length()|$s.toLowerCase()|$s.replaceAll('o', '0')|$s.trim().substring(0, 5)|$s.contains('World')|$s.trim().split(' ').size()|$s.replace('l', 'L')"
        )
        #expect(out == "11| hello world | Hell0 W0rld |Hello|true|2| HeLLo WorLd ")
        #expect(try render("#set($t = 'abc')#if($t.matches('a.c'))m#end#set($u = 'x')#if($u.startsWith('x') && $u.endsWith('x'))s#end") == "ms")
    }

    @Test("numbers render as Java prints them")
    func numbers() throws {
        #expect(try render("#set($d = 2.0)$d #set($e = 10 / 4)$e #set($f = 1.5 * 2)$f $input.path('$.p')", body: #"{"p": 0.5}"#) == "2.0 2 3.0 0.5")
    }
}

@Suite("JSONPath and JSON reader")
struct VelocityJSONTests {
    @Test("the reader keeps key order, whole numbers and unicode escapes, and refuses junk and deep nesting")
    func reader() {
        #expect(VelocityJSON.parse(#"{"b":1,"a":[true,null,"\u00e9\ud83d\ude00"]}"#)?.json == #"{"b":1,"a":[true,null,"é😀"]}"#)
        #expect(VelocityJSON.parse("{") == nil)
        #expect(VelocityJSON.parse("[1,]") == nil)
        #expect(VelocityJSON.parse("1 2") == nil)
        #expect(VelocityJSON.parse(String(repeating: "[", count: 10_000)) == nil)
        #expect(VelocityJSON.parse("-1.5e3") == .double(-1500))
    }

    @Test("negative indexes and wildcards over maps")
    func paths() throws {
        let document = VelocityJSON.parse(#"{"a": [1, 2, 3], "m": {"x": 1, "y": 2}}"#) ?? .null
        #expect(try VelocityJSON.select("$.a[-1]", in: document) == .int(3))
        #expect(try VelocityJSON.select("$.m.*", in: document) == .list([.int(1), .int(2)]))
        #expect(try VelocityJSON.select("$.a[9]", in: document) == nil)
        #expect(throws: VelocityError.self) { try VelocityJSON.select("$.a[", in: document) }
    }
}
