from setuptools import find_packages, setup

with open("requirements.txt", encoding="utf-8") as f:
    requirements = [
        line.strip()
        for line in f
        if line.strip() and not line.startswith("#")
        and not line.split("=")[0].split(">")[0].strip()
        in ("pytest", "tokenizers", "nbclient", "nbformat", "ipykernel")
    ]

setup(
    name="bert_keras",
    version="0.1.0",
    description="BERT for Keras 3 on TensorFlow, from raw text to TF-Hub SavedModels.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["bert_keras", "bert_keras.*"]),
    python_requires=">=3.10",
    install_requires=requirements,
    extras_require={
        "test": ["pytest>=8", "tokenizers>=0.15", "nbclient>=0.10", "nbformat>=5.9", "ipykernel>=6.29"],
        "torch": ["torch", "transformers"],
    },
    entry_points={"console_scripts": ["bert-keras=bert_keras.cli.main:main"]},
)
