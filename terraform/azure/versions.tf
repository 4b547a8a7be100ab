terraform {
  required_version = ">= 1.5.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.x: Event Hubs by namespace_id, subscription_id required on the provider.
      version = ">= 4.30.0, < 5.0.0"
    }
    azuread = {
      source  = "hashicorp/azuread"
      version = ">= 3.0.0, < 4.0.0"
    }
    google = {
      source  = "hashicorp/google"
      version = ">= 6.41.0, < 7.0.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.6.0, < 4.0.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4.0, < 3.0.0"
    }
  }
}

provider "azurerm" {
  subscription_id = var.subscription_id

  features {
    key_vault {
      # Keep soft-deleted secrets recoverable after a destroy.
      purge_soft_delete_on_destroy = false
    }
  }
}

provider "azuread" {}

# BigQuery lives in Google Cloud: the dataset (optionally) and the federation that lets the
# Function App's managed identity write to it without a key file.
provider "google" {
  project = var.gcp_project_id
}
