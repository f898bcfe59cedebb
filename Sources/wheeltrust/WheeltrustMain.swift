import Foundation
@main struct Main { static func main() {} }
