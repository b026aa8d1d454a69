#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marked_node.hpp"
#include "swarmop/model/document_loader.hpp"

namespace swarmop::model::detail {

//! Limits that keep a hostile or broken file from costing more than a moment: the desired
//! state of even a very large cluster is a few hundred KiB.
struct ReadLimits {
  std::size_t max_bytes = kMaxDocumentBytes;  //!< 1 MiB
  std::size_t max_nodes = 100'000;            //!< after alias expansion (stops "billion laughs")
  int max_depth = 64;                         //!< nesting levels
};

//! Parses one YAML document into a MarkedNode. Byte-level problems (not UTF-8, UTF-16, empty,
//! several documents, too large, too deep) and YAML syntax errors become diagnostics naming
//! `file` and a position; the result is empty when any error was found.
std::optional<MarkedNode> read_yaml(std::string_view text, const std::string& file,
                                    std::vector<Diagnostic>& diagnostics,
                                    const ReadLimits& limits = {});

//! The position of the first byte that is not valid UTF-8, if any.
std::optional<Mark> find_invalid_utf8(std::string_view text);

}  // namespace swarmop::model::detail
