/** Word lists for synthetic research papers: enough variety for realistic text and analyzer work. */
const w = (s: string): readonly string[] => s.trim().split(/\s+/);

export const ADJECTIVES = w(`
  scalable efficient robust adaptive sparse hierarchical multimodal contrastive generative latent
  diffusion-based self-supervised unsupervised few-shot zero-shot lightweight unified interpretable
  causal probabilistic structured dense recurrent autoregressive federated differentiable modular
  long-context multilingual continual instruction-tuned reinforced open-vocabulary compositional
  equivariant geometric temporal spatial neural implicit explicit memory-efficient parameter-efficient
  retrieval-augmented agentic calibrated faithful grounded distilled quantized low-rank mixture-of-experts
`);

export const NOUNS = w(`
  transformers representations embeddings agents policies models networks priors objectives benchmarks
  datasets tokenizers decoders encoders attention alignment reasoning planning retrieval segmentation
  detection generation editing synthesis tracking forecasting translation summarization captioning
  navigation manipulation grasping control optimization inference distillation pruning quantization
  compression adaptation evaluation verification hallucination robustness calibration uncertainty
  graphs meshes point-clouds videos images speech audio proteins molecules circuits programs proofs
`);

export const DOMAINS = w(`
  language vision robotics speech biology chemistry medicine code mathematics recommendation finance
  weather materials music healthcare education autonomous-driving remote-sensing astronomy law
`);

export const VERBS = w(`
  improves outperforms enables reduces accelerates stabilizes generalizes scales matches surpasses
  simplifies unifies extends leverages combines integrates decouples regularizes aligns transfers
`);

export const FILLER = w(`
  the a of in on for with to from by and under across over between without through toward via
  which that while however moreover furthermore consequently notably particularly significantly
  substantially consistently effectively previously recently widely commonly typically
`);

export const FIRST_NAMES = w(`
  Wei Li Jing Yang Xin Hao Yu Chen Ming Jun Lei Tao Yan Hui Zhe Bo Kai Jie Rui Qi
  Alice Bob Carlos Diana Elena Farid Greta Hiroshi Ingrid Jonas Kenji Laura Mateo Nadia Omar Priya
  Rahul Sofia Tomas Ursula Victor Wen Ximena Yusuf Zara Amir Bianca Chloé Dmitri Émile Fatima
  Giulia Hannah Ibrahim Jakob Kavya Lukas Maria Niklas Olga Pedro Quentin Rosa Stefan Tanvi
  Anna David Michael Sarah James Emily Daniel Julia Samuel Ana Luca Marco Noah Leon Mia Eva
`);

export const LAST_NAMES = w(`
  Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao
  Smith Johnson Brown Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson
  Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
  Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Dubois Lefèvre
  Rossi Russo Ferrari Esposito Bianchi Romano Kowalski Nowak Ivanov Petrov Sato Suzuki Takahashi
  Tanaka Watanabe Kim Park Choi Jung Kang Singh Kumar Sharma Patel Gupta Nguyen Tran Pham Silva
`);

export const ORGS = w(`
  google deepmind meta-ai microsoft nvidia openai anthropic allenai mistralai huggingface stanford
  mit berkeley cmu tsinghua pku alibaba tencent bytedance baidu salesforce ibm apple amazon
`);

export const REPO_WORDS = w(`
  bench lab kit hub net former flow gen vision lm agent rl diff seg det align mix tune zero
`);

export const ACRONYM_LETTERS = 'ABCDEFGHIKLMNOPRSTVXZ';
