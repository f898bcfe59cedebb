/// A strict RFC 4180 reader for the small CSV files Python packaging writes (RECORD).
///
/// Handles quoted fields, doubled quotes inside them, commas and line breaks inside quotes,
/// CRLF / LF / CR line ends and a missing final line end. Empty lines are skipped. A quote
/// inside an unquoted field, text after a closing quote, or an unterminated quote is an error.
/// Work is linear in the input size.
struct CSVRows {
    /// One parsed row with the 1-based line number it starts on.
    struct Row {
        var line: Int
        var fields: [[UInt8]]
    }

    enum Failure: Error {
        case quoteInUnquotedField(line: Int)
        case textAfterClosingQuote(line: Int)
        case unterminatedQuote(line: Int)
    }

    static func parse(_ input: some Collection<UInt8>) throws(Failure) -> [Row] {
        let bytes = Array(input)
        var rows: [Row] = []
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var line = 1
        var rowLine = 1
        var index = 0
        var rowHasContent = false
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

        func endRow() {
            fields.append(field)
            field = []
            if rowHasContent {
                rows.append(Row(line: rowLine, fields: fields))
            }
            fields = []
            rowHasContent = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            if !rowHasContent { rowLine = line }
            if byte == quote {
                guard field.isEmpty else { throw .quoteInUnquotedField(line: line) }
                rowHasContent = true
                let startLine = line
                index += 1
                var closed = false
                while index < bytes.count {
                    let inner = bytes[index]
                    if inner == quote {
                        if index + 1 < bytes.count, bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    if inner == lf || (inner == cr && !(index + 1 < bytes.count && bytes[index + 1] == lf)) {
                        line += 1
                    }
                    field.append(inner)
                    index += 1
                }
                guard closed else { throw .unterminatedQuote(line: startLine) }
                if index < bytes.count {
                    let next = bytes[index]
                    guard next == comma || next == cr || next == lf else {
                        throw .textAfterClosingQuote(line: line)
                    }
                }
                continue
            }
            if byte == comma {
                rowHasContent = true
                fields.append(field)
                field = []
                index += 1
                continue
            }
            if byte == cr || byte == lf {
                index += (byte == cr && index + 1 < bytes.count && bytes[index + 1] == lf) ? 2 : 1
                endRow()
                line += 1
                continue
            }
            // An unquoted run up to the next delimiter or quote, appended at once (a quote met
            // here is refused on the next turn: it is inside an unquoted field).
            rowHasContent = true
            var end = index + 1
            while end < bytes.count {
                let next = bytes[end]
                if next == quote || next == comma || next == cr || next == lf { break }
                end += 1
            }
            field.append(contentsOf: bytes[index..<end])
            index = end
        }
        if rowHasContent || !field.isEmpty || !fields.isEmpty {
            endRow()
        }
        return rows
    }
}
