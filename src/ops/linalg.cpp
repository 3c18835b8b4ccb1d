// Matrix products (matmul/mm/bmm/dot/outer) on the backend's batched GEMM,
// and einsum (any number of operands, ellipsis included), lowered to
// permute + reshape + bmm one pair of operands at a time.
#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "graph/record.h"
#include "ops/internal.h"

namespace ember {
namespace {

using autograd::Grads;
using autograd::Saved;

void check_matmul_dtypes(const Tensor& a, const Tensor& b, const char* op) {
  ops::check_defined(a, op);
  ops::check_defined(b, op);
  ops::check_same_device(a, b, op);
  EMBER_CHECK(a.dtype() == b.dtype(), op, ": expected both operands to have one dtype, got ", dtype_name(a.dtype()),
              " and ", dtype_name(b.dtype()));
}

// (B,N,K) @ (B,K,M) without checks; every matrix product ends here.
// out = a b:  da = g b^T,  db = a^T g
Tensor bmm_unchecked(const Tensor& a, const Tensor& b) {
  Tensor out = ops::new_tensor({a.size(0), a.size(1), b.size(2)}, a.dtype(), a.device());
  ops::backend_of(out).bmm(out, a, b);
  if (!autograd::should_record(out.dtype(), {a, b})) return out;
  const bool need_a = autograd::requires_grad(a), need_b = autograd::requires_grad(b);
  return autograd::record("bmm", out, {a, b},
                          [need_a, need_b, sa = need_b ? Saved::input(a) : Saved(),
                           sb = need_a ? Saved::input(b) : Saved()](const Tensor& g) {
                            return Grads{need_a ? bmm_unchecked(g, sb.get().transpose(1, 2)) : Tensor(),
                                         need_b ? bmm_unchecked(sa.get().transpose(1, 2), g) : Tensor()};
                          });
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_matmul_dtypes(a, b, "mm");
  EMBER_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected two 2-D tensors, got shapes ", a.sizes(), " and ", b.sizes());
  EMBER_CHECK(a.size(1) == b.size(0), "mm: shapes ", a.sizes(), " and ", b.sizes(), " cannot be multiplied (",
              a.size(1), " != ", b.size(0), ")");
  return bmm_unchecked(a.unsqueeze(0), b.unsqueeze(0)).squeeze(0);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_matmul_dtypes(a, b, "bmm");
  EMBER_CHECK(a.dim() == 3 && b.dim() == 3, "bmm: expected two 3-D tensors, got shapes ", a.sizes(), " and ",
              b.sizes());
  EMBER_CHECK(a.size(0) == b.size(0), "bmm: batch sizes differ: ", a.sizes(), " and ", b.sizes());
  EMBER_CHECK(a.size(2) == b.size(1), "bmm: shapes ", a.sizes(), " and ", b.sizes(), " cannot be multiplied (",
              a.size(2), " != ", b.size(1), ")");
  return bmm_unchecked(a, b);
}

// dot(a, b) = sum_i a_i b_i
Tensor dot(const Tensor& a, const Tensor& b) {
  check_matmul_dtypes(a, b, "dot");
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1 && a.size(0) == b.size(0), "dot: expected two 1-D tensors of one size, got ",
              a.sizes(), " and ", b.sizes());
  return bmm_unchecked(a.view({1, 1, -1}), b.view({1, -1, 1})).view({});
}

// outer(a, b)_ij = a_i b_j
Tensor outer(const Tensor& a, const Tensor& b) {
  ops::check_defined(a, "outer");
  ops::check_defined(b, "outer");
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1, "outer: expected two 1-D tensors, got ", a.sizes(), " and ", b.sizes());
  return a.unsqueeze(1) * b.unsqueeze(0);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_matmul_dtypes(a, b, "matmul");
  EMBER_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dim, got shapes ", a.sizes(),
              " and ", b.sizes());
  if (a.dim() == 1 && b.dim() == 1) return dot(a, b);
  const int64_t k_a = a.size(-1), k_b = b.dim() == 1 ? b.size(0) : b.size(-2);
  EMBER_CHECK(k_a == k_b, "matmul: shapes ", a.sizes(), " and ", b.sizes(), " cannot be multiplied (", k_a, " != ", k_b,
              ")");
  if (a.dim() <= 2 && b.dim() <= 2) {
    const Tensor r = mm(a.dim() == 1 ? a.unsqueeze(0) : a, b.dim() == 1 ? b.unsqueeze(1) : b);
    return a.dim() == 1 ? r.squeeze(0) : (b.dim() == 1 ? r.squeeze(1) : r);
  }
  // (..., N, K) @ (K, M) or (K): fold the batch into N, one GEMM.
  if (b.dim() <= 2) {
    const Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
    Shape out_shape(a.sizes().begin(), a.sizes().end() - 1);
    if (b.dim() == 2) out_shape.push_back(b.size(1));
    // The row count is spelled out: reshape cannot infer -1 when K is 0.
    const int64_t rows = shape_numel(IntArrayRef(a.sizes().data(), a.sizes().size() - 1));
    return mm(a.reshape({rows, k_a}), b2).view(out_shape);
  }
  // General batched case: broadcast the batch dims, then bmm.
  const Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
  const IntArrayRef abatch(a2.sizes().data(), a2.sizes().size() - 2);
  const IntArrayRef bbatch(b.sizes().data(), b.sizes().size() - 2);
  const Shape batch = broadcast_shapes(abatch, bbatch, "matmul");
  const int64_t n = a2.size(-2), m = b.size(-1), nbatch = shape_numel(batch);
  Shape ashape = batch, bshape = batch;
  ashape.push_back(n), ashape.push_back(k_a);
  bshape.push_back(k_b), bshape.push_back(m);
  Tensor r = bmm_unchecked(a2.expand(ashape).reshape({nbatch, n, k_a}), b.expand(bshape).reshape({nbatch, k_b, m}));
  Shape out_shape = batch;
  if (a.dim() > 1) out_shape.push_back(n);
  out_shape.push_back(m);
  return r.view(out_shape);
}

// ---- einsum -------------------------------------------------------------------------
namespace {

// One operand with repeated letters folded into diagonals: unique letters and a view.
struct Term {
  std::string letters;
  Tensor t;
};

Term fold_repeats(const std::string& letters, const Tensor& t, const std::string& eq) {
  EMBER_CHECK(static_cast<int64_t>(letters.size()) == t.dim(), "einsum: subscripts '", letters, "' in '", eq,
              "' name ", letters.size(), " dims but the operand has shape ", t.sizes());
  std::string unique;
  Shape sizes, strides;
  for (size_t i = 0; i < letters.size(); ++i) {
    const size_t at = unique.find(letters[i]);
    const int64_t size = t.size(static_cast<int64_t>(i)), stride = t.stride(static_cast<int64_t>(i));
    if (at == std::string::npos) {
      unique += letters[i], sizes.push_back(size), strides.push_back(stride);
    } else {
      EMBER_CHECK(sizes[at] == size, "einsum: subscript '", letters[i], "' repeated with sizes ", sizes[at], " and ",
                  size, " in '", eq, "'");
      strides[at] += stride;
    }
  }
  return {unique, unique.size() == letters.size() ? t : t.as_strided(sizes, strides)};
}

// Sums away the letters of `term` that are not in `keep`.
Term sum_out(Term term, const std::string& keep) {
  Shape dims;
  std::string rest;
  for (size_t i = 0; i < term.letters.size(); ++i) {
    if (keep.find(term.letters[i]) == std::string::npos) dims.push_back(static_cast<int64_t>(i));
    else rest += term.letters[i];
  }
  if (dims.empty()) return term;
  return {rest, sum(term.t, dims)};
}

Tensor permute_to(const Term& term, const std::string& order) {
  Shape perm;
  for (char c : order) perm.push_back(static_cast<int64_t>(term.letters.find(c)));
  return term.t.permute(perm);
}

int64_t size_of(const Term& term, char c) { return term.t.size(static_cast<int64_t>(term.letters.find(c))); }

// A subscript for messages: ellipsis placeholders are not letters.
std::string printable(char c) { return std::isalpha(static_cast<unsigned char>(c)) ? std::string(1, c) : "..."; }

// Contracts two terms into one holding the letters of `keep` that either has: shared letters in
// `keep` become the batch of a bmm, shared ones not in it are contracted, the rest are free
// rows (a) and columns (b). A shared letter of size 1 in one term broadcasts to the other's size.
Term contract(Term a, Term b, const std::string& keep, const std::string& equation) {
  a = sum_out(a, keep + b.letters);
  b = sum_out(b, keep + a.letters);
  std::string batch, contracted, a_free, b_free;
  for (char c : a.letters) {
    if (b.letters.find(c) == std::string::npos) {
      a_free += c;
      continue;
    }
    const int64_t na = size_of(a, c), nb = size_of(b, c);
    EMBER_CHECK(na == nb || na == 1 || nb == 1, "einsum: subscript '", printable(c), "' has size ", na,
                " in one operand and ", nb, " in another, which do not broadcast ('", equation, "')");
    if (na != nb) {  // expand the size-1 side (a view; its gradient is summed back)
      Term& small = na == 1 ? a : b;
      Shape sizes = small.t.sizes().shape();
      sizes[small.letters.find(c)] = std::max(na, nb);
      small.t = small.t.expand(sizes);
    }
    (keep.find(c) != std::string::npos ? batch : contracted) += c;
  }
  for (char c : b.letters)
    if (a.letters.find(c) == std::string::npos) b_free += c;
  auto numel_of = [](const Term& t, const std::string& ls) {
    int64_t n = 1;
    for (char c : ls) n *= size_of(t, c);
    return n;
  };
  const int64_t nb = numel_of(a, batch), m = numel_of(a, a_free), k = numel_of(a, contracted), n = numel_of(b, b_free);
  const Tensor a3 = permute_to(a, batch + a_free + contracted).reshape({nb, m, k});
  const Tensor b3 = permute_to(b, batch + contracted + b_free).reshape({nb, k, n});
  Shape result_shape;
  for (char c : batch + a_free) result_shape.push_back(size_of(a, c));
  for (char c : b_free) result_shape.push_back(size_of(b, c));
  return {batch + a_free + b_free, bmm_unchecked(a3, b3).view(result_shape)};
}

}  // namespace

// Parsed into one Term per operand (an ellipsis becomes placeholder characters, 1 to 31, for the
// dims it stands for, right-aligned across operands so they broadcast), then contracted left to
// right as PyTorch does, each step keeping the letters the output or a later operand needs.
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> inputs;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    inputs.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  EMBER_CHECK(inputs.size() == operands.size(), "einsum: '", equation, "' names ", inputs.size(), " operands but ",
              operands.size(), " were given");
  for (const Tensor& t : operands) ops::check_defined(t, "einsum");
  // Where each operand's ellipsis is, and how many dims it covers.
  auto ellipsis_in = [&](const std::string& s, const char* what) {
    const size_t at = s.find("...");
    EMBER_CHECK(s.find('.') == at && (at == std::string::npos || s.find('.', at + 3) == std::string::npos),
                "einsum: ", what, " '", s, "' of '", equation, "' has a '.' that is not one ellipsis ('...')");
    for (size_t i = 0; i < s.size(); ++i)
      if (at == std::string::npos || i < at || i >= at + 3)
        EMBER_CHECK(std::isalpha(static_cast<unsigned char>(s[i])), "einsum: invalid subscript '", s[i], "' in '",
                    equation, "'");
    return at;
  };
  int64_t ellipsis_dims = 0;
  std::vector<std::string> expanded(inputs.size());
  std::vector<size_t> dots(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    dots[i] = ellipsis_in(inputs[i], "operand");
    if (dots[i] == std::string::npos) continue;
    const int64_t named = static_cast<int64_t>(inputs[i].size()) - 3;
    EMBER_CHECK(operands[i].dim() >= named, "einsum: subscripts '", inputs[i], "' in '", equation, "' name ", named,
                " dims but the operand has shape ", operands[i].sizes());
    ellipsis_dims = std::max(ellipsis_dims, operands[i].dim() - named);
  }
  EMBER_CHECK(ellipsis_dims < 32, "einsum: an ellipsis may stand for at most 31 dims ('", equation, "')");
  std::string placeholders;
  for (int64_t d = 1; d <= ellipsis_dims; ++d) placeholders += static_cast<char>(d);
  for (size_t i = 0; i < inputs.size(); ++i) {
    expanded[i] = inputs[i];
    if (dots[i] == std::string::npos) continue;
    const int64_t covered = operands[i].dim() - (static_cast<int64_t>(inputs[i].size()) - 3);
    expanded[i].replace(dots[i], 3, placeholders.substr(placeholders.size() - static_cast<size_t>(covered)));
  }

  std::string out;
  if (arrow != std::string::npos) {
    const std::string given = eq.substr(arrow + 2);
    const size_t at = ellipsis_in(given, "output");
    out = given;
    if (at != std::string::npos) out.replace(at, 3, placeholders);
    for (char c : given)
      if (c != '.')
        EMBER_CHECK(lhs.find(c) != std::string::npos && given.find(c) == given.rfind(c), "einsum: output subscript '",
                    c, "' in '", equation, "' must appear exactly once in the output and in some input");
  } else {  // implicit output: the ellipsis dims, then letters that appear once, alphabetically
    std::map<char, int> count;
    for (const auto& s : inputs)
      for (char c : s)
        if (c != '.') ++count[c];
    out = placeholders;
    for (auto [c, n] : count)
      if (n == 1) out += c;
  }

  std::vector<Term> terms;
  for (size_t i = 0; i < operands.size(); ++i) terms.push_back(fold_repeats(expanded[i], operands[i], equation));
  for (size_t i = 1; i < terms.size(); ++i) check_matmul_dtypes(terms[0].t, terms[i].t, "einsum");
  Term acc = terms[0];
  for (size_t i = 1; i < terms.size(); ++i) {
    std::string keep = out;
    for (size_t j = i + 1; j < terms.size(); ++j) keep += terms[j].letters;
    acc = contract(acc, terms[i], keep, equation);
  }
  acc = sum_out(acc, out);
  return permute_to(acc, out).contiguous();
}

}  // namespace ember
