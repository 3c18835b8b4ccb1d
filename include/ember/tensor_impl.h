// What a Tensor handle points at: a strided view (sizes, strides, offset,
// dtype) over a shared Storage. Views are new TensorImpls on the same Storage.
#pragma once

#include <memory>

#include "ember/dtype.h"
#include "ember/intrusive_ptr.h"
#include "ember/shape.h"
#include "ember/storage.h"

namespace ember {

// Gradient bookkeeping (requires_grad, grad, grad_fn); filled in by autograd.
struct AutogradMeta;

class TensorImpl : public RefCounted {
 public:
  TensorImpl(IntrusivePtr<Storage> storage, Dtype dtype, Shape sizes, Shape strides, int64_t storage_offset);
  ~TensorImpl() override;
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;

  const IntrusivePtr<Storage>& storage() const { return storage_; }
  Dtype dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  const Shape& sizes() const { return sizes_; }
  const Shape& strides() const { return strides_; }
  int64_t storage_offset() const { return storage_offset_; }
  int64_t numel() const { return numel_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  bool is_contiguous() const { return contiguous_; }
  // Address of element 0 of this view.
  void* data() const {
    return static_cast<char*>(storage_->data()) + storage_offset_ * static_cast<int64_t>(element_size(dtype_));
  }

  // Autograd's per-tensor state; null for tensors that never took part in it.
  const std::shared_ptr<AutogradMeta>& autograd_meta() const { return autograd_meta_; }
  std::shared_ptr<AutogradMeta>& autograd_meta() { return autograd_meta_; }
  // Made by a view op (view, slice, permute...) from `source`, sharing its data.
  // view_base() is the tensor the chain of views started from (autograd writes
  // the history of an in-place op on a view into it, as PyTorch's CopySlices).
  bool is_view() const { return static_cast<bool>(view_base_); }
  const IntrusivePtr<TensorImpl>& view_base() const { return view_base_; }
  void mark_view(TensorImpl* source) {
    view_base_ = source->is_view() ? source->view_base_ : IntrusivePtr<TensorImpl>(source);
    history_seen_ = storage_->history_version();
  }
  // The storage's history version this view's grad_fn was made at (older:
  // stale, and autograd makes it again from the base's history).
  uint64_t history_seen() const { return history_seen_; }
  void set_history_seen(uint64_t version) { history_seen_ = version; }
  // The same geometry, dtype and autograd state, but not a view (no base held).
  IntrusivePtr<TensorImpl> alias_without_base() const;
  // Made inside InferenceMode: can never require grad.
  bool is_inference() const { return is_inference_; }

 private:
  IntrusivePtr<Storage> storage_;
  Shape sizes_;
  Shape strides_;
  int64_t storage_offset_;
  int64_t numel_;
  Dtype dtype_;
  bool contiguous_;
  IntrusivePtr<TensorImpl> view_base_;
  uint64_t history_seen_ = 0;
  bool is_inference_;
  std::shared_ptr<AutogradMeta> autograd_meta_;
};

}  // namespace ember
