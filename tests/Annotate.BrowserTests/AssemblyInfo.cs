// One browser test class at a time: each drives Chromium and its own app host, and on two cores running them side by
// side only makes every one of them slower and flakier.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
