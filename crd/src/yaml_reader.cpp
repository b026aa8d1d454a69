#include "yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>

namespace swarmop::model::detail {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

Mark to_mark(const YAML::Mark& mark) {
  if (mark.line < 0) {
    return {};
  }
  return Mark{mark.line + 1, mark.column + 1};
}

// Position (1-based line and column, counted in characters) of a byte offset.
Mark mark_of_offset(std::string_view text, std::size_t offset) {
  Mark mark{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++mark.line;
      mark.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++mark.column;
    }
  }
  return mark;
}

// The YAML 1.2 core schema's forms of plain scalars, matched by hand: with std::regex, six
// matches per scalar cost more than all the rest of reading a document, and a file of 100,000
// aliased values took seconds to refuse in a sanitizer build.
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_chars(std::string_view text, bool (*accept)(char)) {
  return std::all_of(text.begin(), text.end(), accept);
}

std::string_view without_sign(std::string_view text) {
  return !text.empty() && (text[0] == '-' || text[0] == '+') ? text.substr(1) : text;
}

std::size_t skip_digits(std::string_view text, std::size_t at) {
  while (at < text.size() && is_digit(text[at])) {
    ++at;
  }
  return at;
}

// [-+]?[0-9]+
bool is_core_int(std::string_view text) {
  text = without_sign(text);
  return !text.empty() && all_chars(text, is_digit);
}

// 0o[0-7]+
bool is_core_octal(std::string_view text) {
  return text.size() > 2 && text.substr(0, 2) == "0o" &&
         all_chars(text.substr(2), [](char c) { return c >= '0' && c <= '7'; });
}

// 0x[0-9a-fA-F]+
bool is_core_hex(std::string_view text) {
  return text.size() > 2 && text.substr(0, 2) == "0x" && all_chars(text.substr(2), [](char c) {
           return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_core_float(std::string_view text) {
  text = without_sign(text);
  std::size_t at = skip_digits(text, 0);
  if (at == 0) {
    if (at >= text.size() || text[at] != '.') {
      return false;
    }
    at = skip_digits(text, 1);
    if (at == 1) {
      return false;
    }
  } else if (at < text.size() && text[at] == '.') {
    at = skip_digits(text, at + 1);
  }
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    std::size_t exponent = at + 1;
    if (exponent < text.size() && (text[exponent] == '-' || text[exponent] == '+')) {
      ++exponent;
    }
    at = skip_digits(text, exponent);
    if (at == exponent) {
      return false;
    }
  }
  return at == text.size();
}

// [-+]?\.(inf|Inf|INF) and \.(nan|NaN|NAN)
bool is_core_inf_or_nan(std::string_view text) {
  const std::string_view unsigned_text = without_sign(text);
  return unsigned_text == ".inf" || unsigned_text == ".Inf" || unsigned_text == ".INF" ||
         text == ".nan" || text == ".NaN" || text == ".NAN";
}

// yaml-cpp 0.7 never gets past a ',' outside a flow collection ("{a: b},", '"x",' or a lone
// ","): its parser answers every further request with an empty document at that same token,
// and YAML::LoadAll collects them until memory runs out. This pass reads the stream's events
// without building nodes and returns the position where the parser stopped advancing, if it
// did; it throws what LoadAll would throw for a syntax error.
class ProgressWatch : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    stuck_ = started_ && mark.pos == last_start_.pos;
    started_ = true;
    last_start_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  bool stuck() const { return stuck_; }
  const YAML::Mark& last_start() const { return last_start_; }

 private:
  bool started_ = false;
  bool stuck_ = false;
  YAML::Mark last_start_;
};

std::optional<YAML::Mark> find_stuck_parser(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  ProgressWatch watch;
  while (parser.HandleNextDocument(watch)) {
    if (watch.stuck()) {
      return watch.last_start();
    }
  }
  return std::nullopt;
}

class Converter {
 public:
  Converter(const std::string& file, std::vector<Diagnostic>& diagnostics, const ReadLimits& limits)
      : file_(file), diagnostics_(diagnostics), limits_(limits) {}

  std::optional<MarkedNode> convert(const YAML::Node& node, int depth) {
    if (++node_count_ > limits_.max_nodes) {
      if (!reported_size_) {
        error(to_mark(node.Mark()), "document has more than " + std::to_string(limits_.max_nodes) +
                                        " values after alias expansion; refusing to expand it");
        reported_size_ = true;
      }
      return std::nullopt;
    }
    if (depth > limits_.max_depth) {
      error(to_mark(node.Mark()),
            "nesting is deeper than " + std::to_string(limits_.max_depth) + " levels");
      return std::nullopt;
    }
    MarkedNode out;
    out.mark = to_mark(node.Mark());
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = MarkedNode::Kind::kNull;
        return out;
      case YAML::NodeType::Scalar:
        if (!resolve_scalar(node, out)) {
          return std::nullopt;
        }
        return out;
      case YAML::NodeType::Sequence: {
        out.kind = MarkedNode::Kind::kSeq;
        bool ok = true;
        for (const YAML::Node& item : node) {
          auto converted = convert(item, depth + 1);
          if (!converted) {
            ok = false;
            if (reported_size_) {
              return std::nullopt;
            }
            continue;
          }
          out.items.push_back(std::move(*converted));
        }
        return ok ? std::optional<MarkedNode>(std::move(out)) : std::nullopt;
      }
      case YAML::NodeType::Map:
        return convert_map(node, depth, std::move(out));
    }
    return std::nullopt;
  }

 private:
  std::optional<MarkedNode> convert_map(const YAML::Node& node, int depth, MarkedNode out) {
    out.kind = MarkedNode::Kind::kMap;
    bool ok = true;
    std::unordered_map<std::string, Mark> seen;  // keeps the duplicate check linear
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies, not references: the iterator's -> returns a temporary pair (Node copies share
      // their data, so this is cheap).
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      const Mark key_mark = to_mark(key.Mark());
      if (!key.IsScalar()) {
        error(key_mark, "mapping keys must be plain strings");
        ok = false;
        continue;
      }
      const std::string key_text = key.Scalar();
      if (key_text == "<<" && key.Tag() == "?") {
        error(key_mark, "merge keys (<<) are not supported; write the fields out");
        ok = false;
        continue;
      }
      if (const auto [first, inserted] = seen.emplace(key_text, key_mark); !inserted) {
        error(key_mark, "duplicate key \"" + key_text + "\" (first defined at line " +
                            std::to_string(first->second.line) + ")");
        ok = false;
        continue;
      }
      auto converted = convert(value, depth + 1);
      if (!converted) {
        ok = false;
        if (reported_size_) {
          return std::nullopt;
        }
        continue;
      }
      // A key with no value ("labels:") has no position of its own: yaml-cpp reports the next
      // token's, which may be lines away. The key's position is the one a reader looks for.
      const bool empty_value =
          converted->kind == MarkedNode::Kind::kNull && converted->mark.line != key_mark.line;
      if (!converted->mark.known() || empty_value) {
        converted->mark = key_mark;
      }
      out.entries.push_back({key_text, key_mark, std::move(*converted)});
    }
    return ok ? std::optional<MarkedNode>(std::move(out)) : std::nullopt;
  }

  // YAML 1.2 core schema resolution for plain scalars; quoted and block scalars are strings.
  bool resolve_scalar(const YAML::Node& node, MarkedNode& out) {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    out.text = text;
    out.kind = MarkedNode::Kind::kString;
    if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      return true;
    }
    if (tag != "?" && tag.rfind("tag:yaml.org,2002:", 0) != 0) {
      error(out.mark, "unsupported YAML tag \"" + tag + "\"");
      return false;
    }
    if (text == "true" || text == "True" || text == "TRUE" || text == "false" || text == "False" ||
        text == "FALSE") {
      out.kind = MarkedNode::Kind::kBool;
      out.boolean = text[0] == 't' || text[0] == 'T';
    } else if (is_core_int(text) || is_core_octal(text) || is_core_hex(text)) {
      const int base = text.rfind("0o", 0) == 0 ? 8 : text.rfind("0x", 0) == 0 ? 16 : 10;
      const std::string digits = base == 10 ? text : text.substr(2);
      errno = 0;
      char* end = nullptr;
      const long long value = std::strtoll(digits.c_str(), &end, base);
      if (errno == ERANGE) {
        error(out.mark, "integer " + text + " is out of range");
        return false;
      }
      out.kind = MarkedNode::Kind::kInt;
      out.integer = value;
    } else if (is_core_float(text)) {
      out.kind = MarkedNode::Kind::kFloat;
      out.number = std::strtod(text.c_str(), nullptr);
      if (!std::isfinite(out.number)) {
        error(out.mark, "number " + text + " is out of range");
        return false;
      }
    } else if (is_core_inf_or_nan(text)) {
      // JSON has no infinity or NaN, and no field of the document takes one.
      error(out.mark, "\"" + text + "\" (infinity or NaN) is not a valid value here");
      return false;
    }
    return true;
  }

  void error(Mark mark, std::string message) {
    diagnostics_.push_back({Severity::kError, file_, mark, std::move(message)});
  }

  const std::string& file_;
  std::vector<Diagnostic>& diagnostics_;
  const ReadLimits& limits_;
  std::size_t node_count_ = 0;
  bool reported_size_ = false;
};

}  // namespace

std::optional<Mark> find_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code_point = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code_point = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code_point = byte & 0x07;
    } else {
      return mark_of_offset(text, i);
    }
    if (i + length > text.size()) {
      return mark_of_offset(text, i);
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return mark_of_offset(text, i);
      }
      code_point = (code_point << 6) | (next & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    const bool overlong = (length == 2 && code_point < 0x80) ||
                          (length == 3 && code_point < 0x800) ||
                          (length == 4 && code_point < 0x10000);
    if (overlong || (code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) {
      return mark_of_offset(text, i);
    }
    i += length;
  }
  return std::nullopt;
}

std::optional<MarkedNode> read_yaml(std::string_view text, const std::string& file,
                                    std::vector<Diagnostic>& diagnostics,
                                    const ReadLimits& limits) {
  const auto error = [&](Mark mark, std::string message) {
    diagnostics.push_back({Severity::kError, file, mark, std::move(message)});
    return std::nullopt;
  };
  if (text.size() > limits.max_bytes) {
    return error({}, "file is larger than the limit of " + std::to_string(limits.max_bytes) +
                         " bytes; a desired state is never that big");
  }
  if (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF") {
    return error(Mark{1, 1}, "file is UTF-16; save it as UTF-8");
  }
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
    text.remove_prefix(kUtf8Bom.size());
  }
  if (auto bad = find_invalid_utf8(text)) {
    return error(*bad, "file is not valid UTF-8 (first bad byte here)");
  }
  if (text.find('\0') != std::string_view::npos) {
    return error(mark_of_offset(text, text.find('\0')), "file contains a NUL byte");
  }

  std::vector<YAML::Node> documents;
  try {
    const std::string source(text);
    if (const auto stuck = find_stuck_parser(source)) {
      const auto at = static_cast<std::size_t>(stuck->pos);
      return error(to_mark(*stuck),
                   at < source.size() && source[at] == ','
                       ? "YAML syntax error: ',' outside a flow collection ([...] or {...})"
                       : "YAML syntax error: the parser cannot continue here");
    }
    documents = YAML::LoadAll(source);
  } catch (const YAML::DeepRecursion& e) {
    return error(to_mark(e.mark), "nesting is too deep to parse");
  } catch (const YAML::Exception& e) {
    return error(to_mark(e.mark), "YAML syntax error: " + e.msg);
  }
  if (documents.empty() || documents.front().IsNull()) {
    return error({}, "file is empty: expected a SwarmCluster document");
  }
  if (documents.size() > 1) {
    return error(to_mark(documents[1].Mark()),
                 "file holds " + std::to_string(documents.size()) +
                     " YAML documents; put exactly one SwarmCluster document in a file");
  }
  Converter converter(file, diagnostics, limits);
  return converter.convert(documents.front(), 0);
}

}  // namespace swarmop::model::detail
