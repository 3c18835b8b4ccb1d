// A tour of the Tensor API: what `make run` shows until `ember train` exists.
#include <ember/ember.h>

#include <iostream>

using namespace ember;

int main() {
  manual_seed(0);
  Tensor x = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  std::cout << "x =\n" << x << "\n\n";
  std::cout << "x.t() (a view, no copy) =\n" << x.t() << "\n\n";
  std::cout << "x + tensor({10, 20, 30}) (broadcast, int promotes to float) =\n" << x + tensor({10, 20, 30}) << "\n\n";
  std::cout << "x.sum(1) = " << x.sum(1) << "\n";
  std::cout << "x.mean() = " << x.mean() << "\n";
  auto [values, indices] = x.max(1);
  std::cout << "x.max(1) = " << values << ", " << indices << "\n\n";
  Tensor w = randn({3, 4});
  std::cout << "x.matmul(randn({3, 4})).relu() =\n" << x.matmul(w).relu() << "\n\n";
  std::cout << "arange(10).reshape({2, 5}) =\n" << arange(10).reshape({2, 5}) << "\n\n";
  std::cout << "linspace(0, 1, 5) = " << linspace(0, 1, 5) << "\n";
  std::cout << "x > 2.5 = " << (x > 2.5) << "\n";
  std::cout << "x.index(x > 2.5) = " << x.index(x > 2.5) << "\n\n";
  std::cout << "eye(3, {}, {.dtype = kFloat64}) =\n" << eye(3, {}, {.dtype = kFloat64}) << "\n\n";

  // Autograd: fit y = 3a - 2b + 1 by gradient descent.
  Tensor inputs = randn({64, 2});
  Tensor targets = inputs.matmul(tensor({{3.0f}, {-2.0f}})) + 1;
  Tensor weight = zeros({2, 1}).requires_grad_(), bias = zeros({1}).requires_grad_();
  for (int step = 0; step <= 200; ++step) {
    Tensor loss = (inputs.matmul(weight) + bias - targets).square().mean();
    if (step % 50 == 0) std::cout << "step " << step << ": loss " << loss.item<double>() << "\n";
    loss.backward();
    NoGradGuard no_grad;  // the update itself is not recorded
    for (Tensor* p : {&weight, &bias}) {
      p->sub_(p->grad() * 0.1);
      p->mutable_grad().zero_();
    }
  }
  std::cout << "learned weight " << weight.t() << ", bias " << bias << " (grad_fn of a loss: "
            << (inputs.matmul(weight) + bias).square().mean().grad_fn()->name() << ")\n\n";

  try {
    Tensor bad = ones({3, 4}) + ones({5, 4});
  } catch (const Error& e) {
    std::cout << "ones({3, 4}) + ones({5, 4}) -> ember::Error: " << e.what() << "\n";
  }
  return 0;
}
